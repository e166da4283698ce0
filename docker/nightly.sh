#!/bin/sh
# The scheduler service: run `gxcrawler crawl-all` every day at GXCRAWLER_NIGHTLY_AT.
#
# Why a sleep loop rather than cron: it runs as the image's normal user, needs no
# cron daemon or supercronic binary, passes the container's environment
# (GXCRAWLER_DATABASE_URL …) through untouched, and logs to stdout as well as to files.
#
# Settings (environment):
#   GXCRAWLER_NIGHTLY_AT       HH:MM local time (TZ) of the daily run      [02:30]
#   GXCRAWLER_NIGHTLY_ARGS     extra arguments for crawl-all, e.g. "--year 2024"  []
#   GXCRAWLER_LOG_DIR          where one log file per run is kept          [/var/log/gxcrawler]
#   GXCRAWLER_LOG_KEEP_DAYS    logs older than this are deleted            [60]
#   GXCRAWLER_NIGHTLY_RUN_NOW  "1": run once immediately at start-up as well
#   GXCRAWLER_CRAWLS_DIR       JOBDIRs of interrupted crawls (resumed next run) [crawls]
set -u

AT="${GXCRAWLER_NIGHTLY_AT:-02:30}"
LOG_DIR="${GXCRAWLER_LOG_DIR:-/var/log/gxcrawler}"
KEEP="${GXCRAWLER_LOG_KEEP_DAYS:-60}"
mkdir -p "$LOG_DIR"

case "$AT" in
  [0-2][0-9]:[0-5][0-9]) ;;
  *) echo "nightly: GXCRAWLER_NIGHTLY_AT must be HH:MM, got '$AT'" >&2; exit 2 ;;
esac

seconds_until() {
  now=$(date +%s)
  next=$(date -d "today $1" +%s)
  [ "$next" -le "$now" ] && next=$(date -d "tomorrow $1" +%s)
  echo $((next - now))
}

CRAWL_PID=""
SLEEP_PID=""

run_once() {
  log="$LOG_DIR/nightly-$(date +%Y%m%d-%H%M%S).log"
  echo "nightly: crawl-all starting, log $log"
  # shellcheck disable=SC2086  # GXCRAWLER_NIGHTLY_ARGS is a list of words on purpose
  gxcrawler crawl-all ${GXCRAWLER_NIGHTLY_ARGS:-} >"$log" 2>&1 &
  CRAWL_PID=$!
  tail -n +1 -f "$log" --pid="$CRAWL_PID" &
  wait "$CRAWL_PID"
  code=$?
  CRAWL_PID=""
  echo "nightly: crawl-all finished with exit code $code (non-zero: a spider failed its monitors)"
  find "$LOG_DIR" -name 'nightly-*.log' -mtime +"$KEEP" -delete 2>/dev/null || true
}

stop() {
  # docker stop sends SIGTERM here: pass it on so Scrapy shuts down gracefully and
  # keeps its JOBDIR under crawls/, which the next run resumes.
  echo "nightly: stopping"
  [ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null
  if [ -n "$CRAWL_PID" ]; then
    kill -TERM "$CRAWL_PID" 2>/dev/null
    wait "$CRAWL_PID"
  fi
  exit 0
}
trap stop TERM INT

[ "${GXCRAWLER_NIGHTLY_RUN_NOW:-0}" = "1" ] && run_once
while :; do
  wait_s=$(seconds_until "$AT")
  echo "nightly: next crawl at $AT (${wait_s}s from now)"
  sleep "$wait_s" &
  SLEEP_PID=$!
  wait "$SLEEP_PID"
  SLEEP_PID=""
  run_once
done

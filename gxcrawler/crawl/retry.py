"""Retries with exponential backoff.

Scrapy's RetryMiddleware re-schedules a failed request at once; a struggling
government server (or a WAF counting requests) is better served by waiting. This
subclass waits ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped by
``RETRY_BACKOFF_MAX``) before handing back the n-th retry. The wait holds the
request's download slot, so the whole host is slowed down, which is the point.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff_delay(self, request: Request) -> float:
        retries = int(request.meta.get("retry_times", 1))
        return min(self.backoff_max, self.backoff_base * 2 ** max(0, retries - 1))

    async def _wait(self, result):
        if isinstance(result, Request) and self.backoff_base > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, self.backoff_delay(result), lambda: None))
        return result

    async def process_response(self, request: Request, response: Response, spider=None):
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        return await self._wait(super().process_exception(request, exception))

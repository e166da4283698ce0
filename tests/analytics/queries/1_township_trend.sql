-- Requests received, granted and refused by the townships of 仁和区, per year (refused as 国家秘密 too).
SELECT r.year,
       count(*)             AS townships,
       sum(r.s3_new)        AS received,
       sum(r.s3_granted)    AS granted,
       sum(r.s3_denied)     AS refused,
       sum(s.value)         AS refused_state_secret
FROM v_reports r
LEFT JOIN v_s3_long s
       ON s.report_id = r.report_id AND s.key = 's3.denied.state_secret.total'
WHERE r.county = '仁和区' AND r.agency_kind = 'township' AND r.year >= 2019
GROUP BY r.year
ORDER BY r.year;

-- Reports of 仁和区 whose numbers do not continue the year before: 结转下年度 (N-1) ≠ 上年结转 (N),
-- 现行有效件数 not rolled forward. Both years named; details for the 总计 column and 现行有效件数.
SELECT agency, other_year AS from_year, year AS to_year, count(*) AS checks_failed,
       string_agg(rule || ' ' || "left" || '≠' || "right", '; ' ORDER BY rule)
         FILTER (WHERE rule NOT LIKE 'years.carried.%' OR rule = 'years.carried.total') AS details
FROM v_failed_checks
WHERE kind = 'years' AND county = '仁和区'
GROUP BY agency, other_year, year
ORDER BY agency, to_year;

-- As written before migration 0031 (report_rates, 0029: v_rates_long has no index by report_id): kept to test (and time) the new text against.
-- 公开率 (予以公开 / 办结) of the agencies of 仁和区 in 2023, ranked within the county, beside 2022.
-- NULL where fewer than analytics_settings.rate_min_base (30) requests were closed.
SELECT k.rank, k.agency, k.agency_kind,
       k.numerator  AS granted,
       k.base       AS closed,
       k.value      AS disclosure_rate,
       l.prev_value AS rate_2022,
       l.change
FROM v_rate_ranks_county k
JOIN v_rates_long l ON l.report_id = k.report_id AND l.rate = k.rate
WHERE k.county = '仁和区' AND k.year = 2023 AND k.rate = 'disclosure_rate'
ORDER BY k.rank NULLS LAST, k.agency;

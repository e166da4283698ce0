-- 公开率 (予以公开 / 办结) of the agencies of 仁和区 in 2023, ranked within the county, beside 2022.
-- NULL where fewer than analytics_settings.rate_min_base (30) requests were closed.
SELECT rank, agency, agency_kind,
       numerator  AS granted,
       base       AS closed,
       value      AS disclosure_rate,
       prev_value AS rate_2022,
       change
FROM v_rate_ranks_county
WHERE county = '仁和区' AND year = 2023 AND rate = 'disclosure_rate'
ORDER BY rank NULLS LAST, agency;

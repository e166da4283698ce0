-- Administrative reviews and lawsuits 2021-2024 per county (city-level agencies under the city), with outcomes.
SELECT coalesce(county, city)                             AS area,
       row_label                                          AS body,
       sum(value) FILTER (WHERE column_key = 'total')     AS cases,
       sum(value) FILTER (WHERE column_key = 'upheld')    AS upheld,
       sum(value) FILTER (WHERE column_key = 'corrected') AS corrected,
       sum(value) FILTER (WHERE column_key = 'pending')   AS pending
FROM v_s4_long
WHERE year BETWEEN 2021 AND 2024
GROUP BY coalesce(county, city), row_key, row_label
HAVING sum(value) FILTER (WHERE column_key = 'total') > 0
ORDER BY area, min(ordinal);

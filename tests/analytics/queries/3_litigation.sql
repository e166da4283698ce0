-- Administrative reviews and lawsuits 2021-2024 per county (city-level agencies under the city), with outcomes.
-- From v_cell_sums (section 四's cells already summed per county and year).
SELECT coalesce(county, city)                             AS area,
       row_label                                          AS body,
       sum(value) FILTER (WHERE column_key = 'total')     AS cases,
       sum(value) FILTER (WHERE column_key = 'upheld')    AS upheld,
       sum(value) FILTER (WHERE column_key = 'corrected') AS corrected,
       sum(value) FILTER (WHERE column_key = 'pending')   AS pending
FROM v_cell_sums
WHERE section = 's4' AND year BETWEEN 2021 AND 2024
GROUP BY province, city, coalesce(county, city), row_key, row_label  -- 鼓楼区 of 南京市 and of 福州市 apart
HAVING sum(value) FILTER (WHERE column_key = 'total') > 0
ORDER BY area, city, min(ordinal);

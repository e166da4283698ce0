-- Why requests were refused (不予公开), all reports, all years: the eight reasons and their share.
-- From v_cell_sums (every cell already summed per county and year): the same numbers as
-- summing v_s3_long's cells, without reading millions of them.
SELECT row_label                                           AS reason,
       sum(value)                                          AS requests,
       round(100 * sum(value) / nullif(sum(sum(value)) OVER (), 0), 1) AS pct
FROM v_cell_sums
WHERE section = 's3' AND row_key LIKE 'denied.%' AND column_key = 'total'
GROUP BY row_key, row_label
ORDER BY min(ordinal);

-- As written before migration 0023: kept to test (and time) the new text against.
-- Agencies that published for last year but not (yet) for the latest year in the database.
SELECT now.county, now.agency, now.year AS missing_year
FROM v_coverage now
JOIN v_coverage prev ON prev.agency_id = now.agency_id AND prev.year = now.year - 1
WHERE now.year = (SELECT max(year) FROM reports)
  AND NOT now.has_report AND prev.has_report
ORDER BY now.county, now.agency;

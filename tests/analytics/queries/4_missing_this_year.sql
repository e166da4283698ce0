-- Agencies that published for last year but not (yet) for the latest year in the database.
-- From last year's reports (by the year's index), each agency's latest-year report looked up:
-- the same rows as v_coverage's agencies without a report that year, without walking every agency.
SELECT a.county, a.name AS agency, prev.year + 1 AS missing_year
FROM reports prev
JOIN agencies a ON a.id = prev.agency_id
WHERE prev.year = (SELECT max(year) FROM reports) - 1
  AND NOT EXISTS (SELECT 1 FROM reports now
                  WHERE now.agency_id = prev.agency_id AND now.year = (SELECT max(year) FROM reports))
ORDER BY a.county, a.name;

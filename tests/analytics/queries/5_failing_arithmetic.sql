-- Reports whose tables break their own identities (勾稽关系), worst first.
-- failed_identities holds each report's failed identities already counted and listed, with
-- the report's agency and year (kept current by the database as checks and reports are
-- written), so only those reports' agencies are read.
SELECT a.name AS agency, f.year, f.identities_failed, f.details
FROM failed_identities f
JOIN agencies a ON a.id = f.agency_id
ORDER BY f.identities_failed DESC, a.name, f.year;

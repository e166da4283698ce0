-- As written from migration 0026 to 0031: kept to test (and time) the new text against.
-- Reports whose tables break their own identities (勾稽关系), worst first.
-- failed_identities holds each report's failed identities already counted and listed
-- (kept current by the database as checks are written), so only those reports are read.
SELECT r.agency, r.year, f.identities_failed, f.details
FROM failed_identities f
JOIN v_reports r ON r.report_id = f.report_id
ORDER BY f.identities_failed DESC, r.agency, r.year;

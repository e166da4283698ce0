-- As written before migration 0023: kept to test (and time) the new text against.
-- Reports whose tables break their own identities (勾稽关系), worst first.
SELECT agency, year, count(*) AS identities_failed,
       string_agg(rule || ' ' || "left" || '≠' || "right", '; ' ORDER BY rule) AS details
FROM v_failed_checks
WHERE kind = 'identity'
GROUP BY report_id, agency, year
ORDER BY identities_failed DESC, agency, year;

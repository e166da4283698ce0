-- As written from migration 0023 to 0026: kept to test (and time) the new text against.
-- Reports whose tables break their own identities (勾稽关系), worst first.
-- Each report's failures are counted first, then the report is named (once, not once per failure).
SELECT r.agency, r.year, f.identities_failed, f.details
FROM (SELECT report_id, count(*) AS identities_failed,
             string_agg(rule || ' ' || "left" || '≠' || "right", '; ' ORDER BY rule) AS details
      FROM v_failed_checks
      WHERE kind = 'identity'
      GROUP BY report_id) f
JOIN v_reports r ON r.report_id = f.report_id
ORDER BY f.identities_failed DESC, r.agency, r.year;

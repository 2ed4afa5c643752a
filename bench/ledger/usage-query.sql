-- The query JooqUsageReader.usage() sends for
-- GET /admin/api/v1/usage?from=2025-01-01T00:00:00Z&to=2025-01-31T00:00:00Z&groupBy=backend,app&bucket=day
-- (jOOQ wraps it in a transaction; here it runs alone in autocommit, result discarded).
-- whole days with day buckets: the reader reads the daily rollup
SELECT bucket, backend_name, app_name, CAST(NULL AS varchar),
       sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
FROM usage_day
WHERE bucket >= timestamptz '2025-01-01 00:00:00+00' AND bucket < timestamptz '2025-01-31 00:00:00+00'
GROUP BY bucket, backend_name, app_name
ORDER BY bucket ASC, backend_name ASC, app_name ASC;

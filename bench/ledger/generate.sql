-- Synthetic ledger: :rows request_log rows spread evenly over :days days from :start (default 2025-01-01 UTC),
-- 100 apps x 10 backends (3 models), 2 % errors, and the matching usage_minute / usage_hour / usage_day aggregates.
\set ON_ERROR_STOP on
\if :{?start}
\else
\set start '2025-01-01 00:00:00+00'
\endif
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';
\timing on
TRUNCATE request_log;
TRUNCATE usage_minute;

SELECT set_config('bench.days', :'days', false);
SELECT set_config('bench.start', :'start', false);

-- when request_log is partitioned by day (V6), one partition per day of the range
DO $$
DECLARE
    d date;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'request_log'::regclass) THEN
        FOR d IN SELECT (current_setting('bench.start')::timestamptz AT TIME ZONE 'UTC')::date + i
                 FROM generate_series(0, current_setting('bench.days')::int + 1) AS i LOOP
            IF to_regclass('request_log_' || to_char(d, 'YYYYMMDD')) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF request_log FOR VALUES FROM (%L) TO (%L)',
                               'request_log_' || to_char(d, 'YYYYMMDD'),
                               to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00',
                               to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
            END IF;
        END LOOP;
    END IF;
END
$$;

-- secondary indexes are rebuilt after the load (faster than maintaining them row by row)
DROP INDEX IF EXISTS request_log_started_idx;
DROP INDEX IF EXISTS request_log_app_idx;
DROP INDEX IF EXISTS request_log_backend_idx;

INSERT INTO request_log (request_id, started_at, endpoint, app_id, app_name, model, backend_id, backend_name,
                         status, error_type, latency_us, ttft_us, prompt_tokens, completion_tokens, total_tokens,
                         stream, client_aborted, attempt_count, attempts, queue_wait_us, key_id, usage_estimated)
SELECT 'bench-' || lpad(i::text, 9, '0'),
       :'start'::timestamptz + make_interval(secs => i * (:days * 86400.0 / :rows)),
       'CHAT_COMPLETIONS',
       md5('app-' || (i % 100))::uuid, 'app-' || (i % 100), 'model-' || ((i / 100) % 10 % 3),
       md5('backend-' || ((i / 100) % 10))::uuid, 'backend-' || ((i / 100) % 10),
       CASE WHEN i % 50 = 0 THEN 503 ELSE 200 END,
       CASE WHEN i % 50 = 0 THEN 'upstream_error' END,
       100000 + i % 50000, 40000,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 100 + i % 400 END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 50 + i % 300 END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 150 + i % 400 + i % 300 END,
       i % 2 = 0, false, 1, '[]'::jsonb, 0, NULL, false
FROM generate_series(0, :rows - 1) AS i;

CREATE INDEX request_log_started_idx ON request_log (started_at);
CREATE INDEX request_log_app_idx ON request_log (app_id, started_at);
CREATE INDEX request_log_backend_idx ON request_log (backend_name, started_at);

INSERT INTO usage_minute (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
SELECT date_trunc('minute', started_at, 'UTC'), backend_name, app_name, model,
       count(*), count(*) FILTER (WHERE status >= 400),
       coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0)
FROM request_log
GROUP BY 1, 2, 3, 4;

TRUNCATE usage_hour;
TRUNCATE usage_day;
INSERT INTO usage_hour (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
SELECT date_trunc('hour', bucket, 'UTC'), backend_name, app_name, model,
       sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
FROM usage_minute GROUP BY 1, 2, 3, 4;
INSERT INTO usage_day (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
SELECT date_trunc('day', bucket, 'UTC'), backend_name, app_name, model,
       sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
FROM usage_minute GROUP BY 1, 2, 3, 4;

VACUUM ANALYZE request_log;
VACUUM ANALYZE usage_minute;
VACUUM ANALYZE usage_hour;
VACUUM ANALYZE usage_day;
SELECT (SELECT count(*) FROM request_log) AS request_log_rows, (SELECT count(*) FROM usage_minute) AS usage_minute_rows;

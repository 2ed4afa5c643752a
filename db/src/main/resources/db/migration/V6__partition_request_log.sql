-- Request-log retention: request_log becomes a table partitioned by day (RANGE on started_at, UTC days),
-- so old days are dropped as whole partitions (RequestLogPartitions in persistence-jooq creates the
-- coming days and drops the ones past the retention). usage_minute is not partitioned and is kept
-- longer. PostgreSQL requires the partition key in the primary key: it is now (request_id, started_at);
-- a retried write carries the same started_at, so ON CONFLICT (request_id, started_at) DO NOTHING
-- still stores a record once.
--
-- jOOQ's DDLDatabase (H2) cannot parse partitioning, so all of this is hidden from code generation:
-- the generated model keeps request_log's columns (unchanged) and its V1 primary key (request_id).
-- Code must not rely on the generated primary key of request_log (store()/update()/Keys).
-- [jooq ignore start]
ALTER TABLE request_log RENAME TO request_log_unpartitioned;
ALTER TABLE request_log_unpartitioned DROP CONSTRAINT request_log_pkey;
DROP INDEX request_log_started_idx;
DROP INDEX request_log_app_idx;
DROP INDEX request_log_backend_idx;

CREATE TABLE request_log (
    request_id        varchar(64)  NOT NULL,
    started_at        timestamptz  NOT NULL,
    endpoint          varchar(32)  NOT NULL,
    app_id            uuid,
    app_name          varchar(100),
    model             varchar(200),
    backend_id        uuid,
    backend_name      varchar(100),
    status            integer      NOT NULL,
    error_type        varchar(64),
    latency_us        bigint       NOT NULL,
    ttft_us           bigint,
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    stream            boolean      NOT NULL,
    client_aborted    boolean      NOT NULL DEFAULT false,
    attempt_count     integer      NOT NULL DEFAULT 0,
    attempts          jsonb        NOT NULL DEFAULT '[]',
    queue_wait_us     bigint,
    key_id            uuid,
    usage_estimated   boolean      NOT NULL DEFAULT false,
    PRIMARY KEY (request_id, started_at)
) PARTITION BY RANGE (started_at);

CREATE INDEX request_log_started_idx ON request_log (started_at);
CREATE INDEX request_log_app_idx ON request_log (app_id, started_at);
CREATE INDEX request_log_backend_idx ON request_log (backend_name, started_at);

-- Rows of a day without its own partition; empty in practice (partitions are created days ahead).
CREATE TABLE request_log_default PARTITION OF request_log DEFAULT;

-- One partition request_log_YYYYMMDD per UTC day: every day that has rows, and today plus the next 7 days.
DO $$
DECLARE
    d date;
BEGIN
    FOR d IN
        SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM request_log_unpartitioned
        UNION
        SELECT (now() AT TIME ZONE 'UTC')::date + i FROM generate_series(0, 7) AS i
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF request_log FOR VALUES FROM (%L) TO (%L)',
                       'request_log_' || to_char(d, 'YYYYMMDD'),
                       to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00',
                       to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
    END LOOP;
END
$$;

INSERT INTO request_log (request_id, started_at, endpoint, app_id, app_name, model, backend_id, backend_name,
                         status, error_type, latency_us, ttft_us, prompt_tokens, completion_tokens, total_tokens,
                         stream, client_aborted, attempt_count, attempts, queue_wait_us, key_id, usage_estimated)
SELECT request_id, started_at, endpoint, app_id, app_name, model, backend_id, backend_name,
       status, error_type, latency_us, ttft_us, prompt_tokens, completion_tokens, total_tokens,
       stream, client_aborted, attempt_count, attempts, queue_wait_us, key_id, usage_estimated
FROM request_log_unpartitioned;

DROP TABLE request_log_unpartitioned;
-- [jooq ignore stop]

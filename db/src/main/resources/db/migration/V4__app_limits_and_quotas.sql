-- Per-app limits and queue settings; NULL means no limit / the gateway default.
ALTER TABLE app ADD COLUMN rpm               integer CHECK (rpm >= 1);
ALTER TABLE app ADD COLUMN tpm               bigint  CHECK (tpm >= 1);
ALTER TABLE app ADD COLUMN max_concurrent    integer CHECK (max_concurrent >= 1);
ALTER TABLE app ADD COLUMN max_wait_ms       integer CHECK (max_wait_ms >= 0);
ALTER TABLE app ADD COLUMN priority          varchar(8) NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low'));
ALTER TABLE app ADD COLUMN max_output_tokens integer CHECK (max_output_tokens >= 1);

ALTER TABLE backend ADD COLUMN max_output_tokens integer CHECK (max_output_tokens >= 1);

-- Quotas reset on a 5-field cron schedule in a time zone, per backend and per app.
ALTER TABLE backend ADD COLUMN quota_requests bigint CHECK (quota_requests >= 1);
ALTER TABLE backend ADD COLUMN quota_tokens   bigint CHECK (quota_tokens >= 1);
ALTER TABLE backend ADD COLUMN quota_cron     varchar(100);
ALTER TABLE backend ADD COLUMN quota_zone     varchar(64) NOT NULL DEFAULT 'UTC';
ALTER TABLE app ADD COLUMN quota_requests bigint CHECK (quota_requests >= 1);
ALTER TABLE app ADD COLUMN quota_tokens   bigint CHECK (quota_tokens >= 1);
ALTER TABLE app ADD COLUMN quota_cron     varchar(100);
ALTER TABLE app ADD COLUMN quota_zone     varchar(64) NOT NULL DEFAULT 'UTC';

-- What each scope used in each quota period; survives restarts.
CREATE TABLE quota_usage (
    scope        varchar(64) NOT NULL,
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    requests     bigint      NOT NULL DEFAULT 0,
    tokens       bigint      NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, period_start)
);

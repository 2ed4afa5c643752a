-- Hourly and daily rollups of the usage aggregates, written with the minute rows (same transaction),
-- so hour and day reports over long ranges read a few rows per group instead of every minute.
CREATE TABLE usage_hour (
    bucket            timestamptz  NOT NULL,
    backend_name      varchar(100) NOT NULL,
    app_name          varchar(100) NOT NULL,
    model             varchar(200) NOT NULL,
    requests          bigint       NOT NULL DEFAULT 0,
    errors            bigint       NOT NULL DEFAULT 0,
    prompt_tokens     bigint       NOT NULL DEFAULT 0,
    completion_tokens bigint       NOT NULL DEFAULT 0,
    total_tokens      bigint       NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, backend_name, app_name, model)
);

CREATE TABLE usage_day (
    bucket            timestamptz  NOT NULL,
    backend_name      varchar(100) NOT NULL,
    app_name          varchar(100) NOT NULL,
    model             varchar(200) NOT NULL,
    requests          bigint       NOT NULL DEFAULT 0,
    errors            bigint       NOT NULL DEFAULT 0,
    prompt_tokens     bigint       NOT NULL DEFAULT 0,
    completion_tokens bigint       NOT NULL DEFAULT 0,
    total_tokens      bigint       NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, backend_name, app_name, model)
);

-- [jooq ignore start]
INSERT INTO usage_hour (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
SELECT date_trunc('hour', bucket, 'UTC'), backend_name, app_name, model,
       sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
FROM usage_minute GROUP BY 1, 2, 3, 4;

INSERT INTO usage_day (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
SELECT date_trunc('day', bucket, 'UTC'), backend_name, app_name, model,
       sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
FROM usage_minute GROUP BY 1, 2, 3, 4;
-- [jooq ignore stop]

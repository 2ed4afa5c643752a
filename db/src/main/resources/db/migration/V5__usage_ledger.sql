-- Which key made the request, and whether the usage was reported by the backend or estimated by the gateway.
ALTER TABLE request_log ADD COLUMN key_id         uuid;
ALTER TABLE request_log ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false;

-- Usage per backend x app x model x minute: the basis of every chart and report. Written in the same
-- transaction as the request-log rows it counts, and only for rows actually inserted (exactly once).
CREATE TABLE usage_minute (
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

CREATE INDEX request_log_backend_idx ON request_log (backend_name, started_at);

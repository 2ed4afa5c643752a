-- Backends: the LLM servers the gateway forwards to.
CREATE TABLE backend (
    id                 uuid          PRIMARY KEY,
    name               varchar(100)  NOT NULL UNIQUE,
    base_url           varchar(2048) NOT NULL,
    -- AES-GCM under the master key: 12-byte nonce followed by ciphertext and tag; NULL when the backend needs no key
    api_key_ciphertext bytea,
    -- a masked form of the key (first and last characters) for display; never the key itself
    api_key_hint       varchar(32),
    priority           integer       NOT NULL DEFAULT 1 CHECK (priority >= 0),
    weight             integer       NOT NULL DEFAULT 10 CHECK (weight >= 1),
    timeout_ms         integer       NOT NULL DEFAULT 60000 CHECK (timeout_ms >= 1),
    enabled            boolean       NOT NULL DEFAULT true,
    headers            jsonb         NOT NULL DEFAULT '{}',
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now()
);

-- The models a backend serves: public name -> the name the backend knows it by.
CREATE TABLE backend_model (
    backend_id     uuid         NOT NULL REFERENCES backend (id) ON DELETE CASCADE,
    name           varchar(200) NOT NULL,
    upstream_model varchar(200) NOT NULL,
    PRIMARY KEY (backend_id, name)
);

CREATE INDEX backend_model_name_idx ON backend_model (name);

-- Client applications.
CREATE TABLE app (
    id         uuid         PRIMARY KEY,
    name       varchar(100) NOT NULL UNIQUE,
    created_at timestamptz  NOT NULL DEFAULT now()
);

-- Gateway API keys: only a SHA-256 hash and a short visible prefix are stored.
CREATE TABLE api_key (
    id         uuid        PRIMARY KEY,
    app_id     uuid        NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    prefix     varchar(32) NOT NULL,
    key_hash   varchar(64) NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX api_key_app_idx ON api_key (app_id);

-- One row per finished proxied request.
CREATE TABLE request_log (
    request_id        varchar(64)  PRIMARY KEY,
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
    -- NULL means the backend did not report usage; never stored as zero
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    stream            boolean      NOT NULL,
    client_aborted    boolean      NOT NULL DEFAULT false
);

CREATE INDEX request_log_started_idx ON request_log (started_at);
CREATE INDEX request_log_app_idx ON request_log (app_id, started_at);

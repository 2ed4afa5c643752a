-- Backend options for failover, capabilities and active health checks.
ALTER TABLE backend ADD COLUMN retry                     integer      NOT NULL DEFAULT 2 CHECK (retry >= 0);
ALTER TABLE backend ADD COLUMN stream_support            boolean      NOT NULL DEFAULT true;
ALTER TABLE backend ADD COLUMN non_stream_support        boolean      NOT NULL DEFAULT true;
ALTER TABLE backend ADD COLUMN max_context_tokens        integer      CHECK (max_context_tokens >= 1);
ALTER TABLE backend ADD COLUMN health_check_enabled      boolean      NOT NULL DEFAULT false;
ALTER TABLE backend ADD COLUMN health_check_path         varchar(512) NOT NULL DEFAULT '/models';
ALTER TABLE backend ADD COLUMN health_check_interval_ms  integer      NOT NULL DEFAULT 30000 CHECK (health_check_interval_ms >= 1000);
ALTER TABLE backend ADD COLUMN health_check_timeout_ms   integer      NOT NULL DEFAULT 5000 CHECK (health_check_timeout_ms >= 1);

-- The ordered models behind the public model name "auto".
CREATE TABLE auto_model (
    position integer      PRIMARY KEY,
    model    varchar(200) NOT NULL UNIQUE
);

-- Every attempt of a request: [{"n":1,"backendId":"...","backend":"a","status":503,"error":null,"latencyUs":1234}, ...]
ALTER TABLE request_log ADD COLUMN attempt_count integer NOT NULL DEFAULT 0;
ALTER TABLE request_log ADD COLUMN attempts      jsonb   NOT NULL DEFAULT '[]';

-- Each backend's health changes (circuit opened / half-open / closed, cooldowns after a 429), so that
-- an operator can see when a backend was out of rotation and why. No foreign key: the events of a
-- deleted backend are harmless and age out with the others.
CREATE TABLE backend_health_event (
    id         bigserial    PRIMARY KEY,
    backend_id uuid         NOT NULL,
    at         timestamptz  NOT NULL,
    kind       varchar(16)  NOT NULL CHECK (kind IN ('OPENED', 'HALF_OPEN', 'CLOSED', 'COOLING_DOWN')),
    reason     varchar(500),
    until      timestamptz
);

CREATE INDEX backend_health_event_by_backend ON backend_health_event (backend_id, at DESC);
CREATE INDEX backend_health_event_by_time ON backend_health_event (at);

-- Every change made through the admin API (and so the console): who, when, from which address,
-- what, and the target as the API shows it before and after (secrets masked, no key material),
-- as JSON text (not jsonb) so that the fields stay in the order the API shows them.
CREATE TABLE admin_audit (
    id          bigserial    PRIMARY KEY,
    at          timestamptz  NOT NULL,
    actor       varchar(100) NOT NULL,
    address     varchar(100) NOT NULL,
    action      varchar(64)  NOT NULL,
    target_type varchar(32)  NOT NULL,
    target_id   varchar(64)  NOT NULL,
    target_name varchar(200),
    before      text,
    after       text
);

CREATE INDEX admin_audit_at ON admin_audit (at DESC);

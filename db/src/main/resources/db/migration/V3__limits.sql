-- Rate limits per backend; NULL means no limit.
ALTER TABLE backend ADD COLUMN rpm            integer CHECK (rpm >= 1);
ALTER TABLE backend ADD COLUMN tpm            bigint  CHECK (tpm >= 1);
ALTER TABLE backend ADD COLUMN rpd            integer CHECK (rpd >= 1);
ALTER TABLE backend ADD COLUMN tpr            bigint  CHECK (tpr >= 1);
ALTER TABLE backend ADD COLUMN max_concurrent integer CHECK (max_concurrent >= 1);

-- Time spent waiting in the queue before the first attempt.
ALTER TABLE request_log ADD COLUMN queue_wait_us bigint;

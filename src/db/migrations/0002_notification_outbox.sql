-- The notification outbox: one row per (task outcome, target), written in the transaction that commits
-- the terminal status. A dispatcher delivers each row at least once and deletes it; a row that exhausts
-- its tries (or fails permanently) stays as a dead letter until redriven or until its task is purged.

CREATE TABLE notification_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  -- copied from the task so dead letters are listed per account without a join
  account_id text NOT NULL,
  project_name text NOT NULL,
  task_type text NOT NULL,
  -- the envelope id (the task's EventId): the same on every redelivery
  message_id text NOT NULL,
  target jsonb NOT NULL,
  body text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  -- when pending: due time; a claimed row is pushed into the future by the lease (a crashed
  -- dispatcher's rows come back by themselves)
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text NOT NULL DEFAULT '',
  redrives integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  dead_at timestamptz
);

CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX notification_outbox_dead ON notification_outbox (account_id, id) WHERE state = 'dead';
CREATE INDEX notification_outbox_task ON notification_outbox (task_id);

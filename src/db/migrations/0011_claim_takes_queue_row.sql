-- A claim deletes the queue rows it takes and records them in one lease row per claim; the finish writes the
-- tasks row only (a HOT update) under that lease. Before, a claim rewrote each queue row it took (a new
-- version of the wide row and an index entry each) and the finish found each one again by task id to delete
-- it: three row writes per task, where graphile-worker makes two. A lease row holds what a claim's tasks need
-- to be given back if their worker vanishes: their ids, each one's attempt count (this attempt included) and
-- first start. A task is always in exactly one of three places: its queue row (waiting), one live lease
-- (running), or ended.
--
-- Every statement that writes a task under a lease locks the lease row first: the finish takes FOR KEY SHARE
-- (many finishes of one lease at once), the reaper and a hand-back take FOR UPDATE, so an attempt whose lease
-- was reaped cannot commit an outcome over the retry.

CREATE TABLE task_leases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  task_ids text[] NOT NULL,
  attempts smallint[] NOT NULL,
  started_at timestamptz[] NOT NULL,
  CHECK (cardinality(task_ids) = cardinality(attempts) AND cardinality(task_ids) = cardinality(started_at))
);
-- Out of line without compression: random task ids do not compress, and trying cost 3 % of a drain's
-- database time.
ALTER TABLE task_leases ALTER COLUMN task_ids SET STORAGE EXTERNAL;

INSERT INTO task_leases (owner, expires_at, task_ids, attempts, started_at)
SELECT lease_owner, max(lease_expires_at), array_agg(task_id), array_agg(attempts),
  array_agg(coalesce(started_at, now()))
FROM task_queue WHERE state = 'running' GROUP BY lease_owner;

DELETE FROM task_queue WHERE state = 'running';

-- Every queue row now waits: the state and the lease leave it (their constraints go with the columns), and the
-- partial indexes become plain ones. The reaper reads the lease rows, as many as the claims out, not the backlog.
DROP INDEX task_queue_claimable;
DROP INDEX task_queue_project;
DROP INDEX task_queue_queued;
DROP INDEX task_queue_running;
ALTER TABLE task_queue DROP COLUMN state;
ALTER TABLE task_queue DROP COLUMN lease_owner;
ALTER TABLE task_queue DROP COLUMN lease_expires_at;
ALTER TABLE task_queue ADD PRIMARY KEY (task_id);
CREATE INDEX task_queue_claimable ON task_queue (work_class, queue_rank, created_at);
CREATE INDEX task_queue_project ON task_queue (account_id, project_name, queue_rank);

-- A claim writes only the task's task_queue row: the attempt count and the first start move there, and the
-- tasks row is written once, when the task ends (with the attempts and start time its queue row had). Before,
-- each claim also rewrote the wide tasks row (a third of the claim's database time and of its WAL).
-- tasks.state is now 'queued' until the task ends, whether it waits or runs (both are IMM's Running); whether
-- it runs, who holds its lease and until when are the queue row's.

ALTER TABLE task_queue ADD COLUMN attempts smallint NOT NULL DEFAULT 0;
ALTER TABLE task_queue ADD COLUMN started_at timestamptz;

UPDATE task_queue q SET attempts = t.attempts, started_at = t.started_at FROM tasks t WHERE t.id = q.task_id;
UPDATE tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running';

-- The guard keeps its two rules: a terminal state is final, and a task that never started cannot succeed (the
-- start is recorded with the outcome now, so the rule reads started_at instead of a 'running' state).
CREATE OR REPLACE FUNCTION tasks_guard_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state IN ('succeeded', 'failed') THEN
    RAISE EXCEPTION 'illegal task transition: % is terminal (task %)', OLD.state, OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.state = 'succeeded' AND NEW.started_at IS NULL THEN
    RAISE EXCEPTION 'illegal task transition: % -> succeeded without a start (task %)', OLD.state, OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

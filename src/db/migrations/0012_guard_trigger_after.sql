-- The guard runs after the update instead of before it. A BEFORE ROW trigger makes the executor lock the old
-- row (a heap write and a WAL record per row) so that its WHEN can read it, even when the WHEN is false; an
-- AFTER ROW trigger's WHEN is checked as the row is updated, on the versions the update already holds. The
-- rules and the error are the same: the function raises, and the statement and its transaction fail.
DROP TRIGGER tasks_guard ON tasks;

CREATE TRIGGER tasks_guard AFTER UPDATE ON tasks
  FOR EACH ROW WHEN (OLD.state IN ('succeeded', 'failed') OR (NEW.state = 'succeeded' AND NEW.started_at IS NULL))
  EXECUTE FUNCTION tasks_guard_transition();

-- ListTasks' EndTimeRange without an index on ended_at (one would make every finish a non-HOT update): for
-- each project, the longest and the shortest run (ended_at - created_at) of its finished tasks. A task that
-- ended in [A, B) was created in [A - max_run, B - min_run), so an EndTimeRange is served by a range of the
-- start-time index instead of every row of the project. (min_run is not assumed to be 0: the two times may
-- come from different clocks.) The bounds are kept by a trigger, in the transaction that ends the task,
-- whatever statement ends it. They only widen (a purged long run still widens the range).

CREATE TABLE project_run_bounds (
  account_id text NOT NULL,
  project_name text NOT NULL,
  max_run interval NOT NULL,
  min_run interval NOT NULL,
  PRIMARY KEY (account_id, project_name)
);

INSERT INTO project_run_bounds (account_id, project_name, max_run, min_run)
SELECT account_id, project_name, max(ended_at - created_at), min(ended_at - created_at)
FROM tasks WHERE ended_at IS NOT NULL
GROUP BY account_id, project_name;

-- Widens a project's bounds to take in runs from min_run to max_run.
CREATE FUNCTION widen_project_run_bounds(p_account text, p_project text, p_max interval, p_min interval)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO project_run_bounds AS b (account_id, project_name, max_run, min_run)
  VALUES (p_account, p_project, p_max, p_min)
  ON CONFLICT (account_id, project_name) DO UPDATE
  SET max_run = greatest(b.max_run, EXCLUDED.max_run), min_run = least(b.min_run, EXCLUDED.min_run);
$$;

-- Statement-level: one call per statement that updates tasks, over the rows it changed (a finish batch ends
-- hundreds), reading the bounds without a lock and writing them only when a run falls outside them.
CREATE FUNCTION tasks_widen_run_bounds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM widen_project_run_bounds(g.account_id, g.project_name, g.max_run, g.min_run)
  FROM (
    SELECT account_id, project_name, max(ended_at - created_at) AS max_run, min(ended_at - created_at) AS min_run
    FROM changed WHERE ended_at IS NOT NULL
    GROUP BY account_id, project_name
  ) g
  LEFT JOIN project_run_bounds cur ON cur.account_id = g.account_id AND cur.project_name = g.project_name
  WHERE cur.account_id IS NULL OR g.max_run > cur.max_run OR g.min_run < cur.min_run;
  RETURN NULL;
END
$$;

CREATE TRIGGER tasks_run_bounds AFTER UPDATE ON tasks
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION tasks_widen_run_bounds();

-- Tasks are created queued; should one ever be inserted finished, its run counts too (the WHEN is checked
-- without calling the function, so ordinary inserts pay nothing).
CREATE FUNCTION tasks_widen_run_bounds_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- read first: a bulk insert must not rewrite the bounds row once per row
  PERFORM 1 FROM project_run_bounds
  WHERE account_id = NEW.account_id AND project_name = NEW.project_name
    AND NEW.ended_at - NEW.created_at BETWEEN min_run AND max_run;
  IF NOT FOUND THEN
    PERFORM widen_project_run_bounds(NEW.account_id, NEW.project_name, NEW.ended_at - NEW.created_at,
      NEW.ended_at - NEW.created_at);
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER tasks_run_bounds_insert BEFORE INSERT ON tasks
  FOR EACH ROW WHEN (NEW.ended_at IS NOT NULL)
  EXECUTE FUNCTION tasks_widen_run_bounds_row();

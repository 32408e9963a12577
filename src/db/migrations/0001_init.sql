-- Accounts, AccessKeys, projects and tasks. The same SQL runs on PostgreSQL and on PGlite.

CREATE TABLE accounts (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_keys (
  access_key_id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  service_role text NOT NULL,
  description text NOT NULL DEFAULT '',
  template_id text NOT NULL DEFAULT '',
  -- quotas and limits (ProjectQueriesPerSecond, EngineConcurrency, Dataset*): rarely read, kept as one document
  settings jsonb NOT NULL DEFAULT '{}',
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

-- The hot queue rows stay narrow: the request and the result live in task_payloads.
CREATE TABLE tasks (
  id text PRIMARY KEY,
  account_id text NOT NULL,
  project_name text NOT NULL,
  type text NOT NULL,
  work_class text NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  attempts smallint NOT NULL DEFAULT 0,
  max_attempts smallint NOT NULL DEFAULT 3,
  -- position in its project's queue at submission: claiming by it interleaves projects (fairness)
  queue_rank integer NOT NULL DEFAULT 1,
  run_after timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_expires_at timestamptz,
  cancel_requested_by text,
  event_id text NOT NULL,
  request_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz,
  code text NOT NULL DEFAULT '',
  message text NOT NULL DEFAULT '',
  user_data text NOT NULL DEFAULT '',
  tags jsonb NOT NULL DEFAULT '{}',
  CHECK ((state IN ('succeeded', 'failed')) = (ended_at IS NOT NULL)),
  CHECK (state <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);

CREATE INDEX tasks_claimable ON tasks (queue_rank, created_at) WHERE state = 'queued';
CREATE INDEX tasks_project_queue ON tasks (account_id, project_name, queue_rank) WHERE state = 'queued';
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE state = 'running';
CREATE INDEX tasks_by_project ON tasks (account_id, project_name, id);
CREATE INDEX tasks_by_project_start ON tasks (account_id, project_name, created_at, id);
CREATE INDEX tasks_by_project_end ON tasks (account_id, project_name, ended_at, id) WHERE ended_at IS NOT NULL;
CREATE INDEX tasks_by_created ON tasks (created_at);
CREATE INDEX tasks_by_tags ON tasks USING gin (tags jsonb_path_ops);

CREATE TABLE task_payloads (
  task_id text PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  -- the parsed request, secrets included: only the processor sees it
  params jsonb NOT NULL,
  -- TaskRequestDefinition as returned by GetTask: the wire parameters without secrets
  definition text NOT NULL,
  notification jsonb NOT NULL DEFAULT '[]',
  extended_message_uri text NOT NULL DEFAULT '',
  content jsonb
);

-- Illegal transitions are impossible whatever the caller: terminal states are final, a queued task cannot
-- succeed without running, and a finished task's outcome never changes.
CREATE FUNCTION tasks_guard_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state IN ('succeeded', 'failed') THEN
    RAISE EXCEPTION 'illegal task transition: % is terminal (task %)', OLD.state, OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'queued' AND NEW.state = 'succeeded' THEN
    RAISE EXCEPTION 'illegal task transition: queued -> succeeded (task %)', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER tasks_guard BEFORE UPDATE ON tasks
  FOR EACH ROW WHEN (OLD.state IN ('succeeded', 'failed') OR NEW.state IS DISTINCT FROM OLD.state)
  EXECUTE FUNCTION tasks_guard_transition();

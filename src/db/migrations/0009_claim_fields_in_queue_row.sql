-- A claim reads what a task runs with from the queue row it takes, instead of probing tasks and
-- task_payloads for each claimed task (two index descents and two heap visits per task, a third of the
-- claim's database time, and the claims run one after another). These columns are copies, written with the
-- queue row when the task is created and never changed: tasks and task_payloads keep theirs for GetTask,
-- ListTasks and the notifications of the tasks that end without a claim (reaper, CancelTask). The queue
-- row is deleted when the task ends, so the copies live only while the task waits or runs.

ALTER TABLE task_queue ADD COLUMN type text;
ALTER TABLE task_queue ADD COLUMN max_attempts smallint;
ALTER TABLE task_queue ADD COLUMN event_id text;
ALTER TABLE task_queue ADD COLUMN request_id text;
ALTER TABLE task_queue ADD COLUMN user_data text NOT NULL DEFAULT '';
ALTER TABLE task_queue ADD COLUMN tags jsonb NOT NULL DEFAULT '{}';
-- NULL when the task has no payload row (the claim then fails the task, as before)
ALTER TABLE task_queue ADD COLUMN params jsonb;
ALTER TABLE task_queue ADD COLUMN notification jsonb NOT NULL DEFAULT '[]';
ALTER TABLE task_queue ADD COLUMN extended_message_uri text NOT NULL DEFAULT '';

UPDATE task_queue q
SET type = t.type, max_attempts = t.max_attempts, event_id = t.event_id, request_id = t.request_id,
  user_data = t.user_data, tags = t.tags, params = p.params, notification = coalesce(p.notification, '[]'),
  extended_message_uri = coalesce(p.extended_message_uri, '')
FROM tasks t LEFT JOIN task_payloads p ON p.task_id = t.id
WHERE t.id = q.task_id;

ALTER TABLE task_queue ALTER COLUMN type SET NOT NULL;
ALTER TABLE task_queue ALTER COLUMN max_attempts SET NOT NULL;
ALTER TABLE task_queue ALTER COLUMN event_id SET NOT NULL;
ALTER TABLE task_queue ALTER COLUMN request_id SET NOT NULL;

-- Claims take each work class's free slots separately (office and media have their own caps): with the class
-- first in the index, a class with nothing queued is one index probe instead of a scan past another class's
-- backlog.
DROP INDEX tasks_claimable;
CREATE INDEX tasks_claimable ON tasks (work_class, queue_rank, created_at) WHERE state = 'queued';

import { z } from 'zod';
import { parseParams } from '../../../processors/params.ts';
import { getProject } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import type { TaskEventHub } from '../../task-events.ts';

const schema = z.object({ ProjectName: z.string().min(1) });
const KEEPALIVE_MS = 15_000;

/**
 * openimm extension: a server-sent-events stream of the project's task outcomes (`event: task`, `id` = the
 * task's EventId, `data` = GetTask's answer), for dashboards. Signed like every call; the stream stays open
 * until the client goes away.
 */
export const streamTaskEventsAction: ActionDefinition = {
  name: 'StreamTaskEvents',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
    return { stream: eventStream(services.taskEvents, accountId, p.ProjectName) };
  },
};

async function* eventStream(
  hub: TaskEventHub,
  accountId: string,
  projectName: string,
): AsyncGenerator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  const onClose = () => wake?.();
  hub.closed.addEventListener('abort', onClose);
  const unsubscribe = hub.subscribe(accountId, projectName, (e) => {
    queue.push(`event: task\nid: ${e.EventId}\ndata: ${JSON.stringify(e)}\n\n`);
    wake?.();
  });
  const keepalive = setInterval(() => {
    queue.push(': keepalive\n\n');
    wake?.();
  }, KEEPALIVE_MS);
  try {
    yield `: subscribed to ${projectName}\n\n`;
    while (!hub.closed.aborted) {
      while (queue.length > 0) yield queue.shift()!;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = undefined;
    }
  } finally {
    clearInterval(keepalive);
    hub.closed.removeEventListener('abort', onClose);
    unsubscribe();
  }
}

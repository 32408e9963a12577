/**
 * A request thread that dies fails its requests with ThreadExitError (a failure of the process, which the
 * archive engines do not report as a damaged entry), and the next request starts a fresh thread.
 */
import { describe, expect, it } from 'vitest';
import { RequestThread, ThreadExitError } from '../../../src/engines/archive/request-thread.ts';

type Request = { id: number; op: 'echo' | 'exit'; value?: string };
type Reply = { id: number; value?: string } | { id: number; error: string };

describe('RequestThread', () => {
  it('fails the requests of a thread that exits with ThreadExitError, then starts a new one', async () => {
    const thread = new RequestThread<Request, Reply>(
      new URL('./exiting-worker.mjs', import.meta.url),
      'the test thread',
      (reply) => ('error' in reply ? new Error(reply.error) : undefined),
    );
    expect(await thread.request({ op: 'echo', value: 'one' })).toEqual({ id: 1, value: 'one' });
    const failure = await thread.request({ op: 'exit' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ThreadExitError);
    expect((failure as Error).message).toBe('the test thread exited (3)');
    expect(thread.pending).toBe(0);
    expect((await thread.request({ op: 'echo', value: 'two' })) as { value: string }).toMatchObject({
      value: 'two',
    });
  });
});

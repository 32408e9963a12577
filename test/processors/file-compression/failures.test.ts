/** What the archive tasks throw, as task failures: a dead helper thread is a transient internal error. */
import { describe, expect, it } from 'vitest';
import { ArchiveErrors } from '../../../src/engines/archive/errors.ts';
import { ThreadExitError } from '../../../src/engines/archive/request-thread.ts';
import { toTaskFailure } from '../../../src/processors/file-compression/failures.ts';
import { TaskError } from '../../../src/processors/task-error.ts';

describe('archive task failures', () => {
  it('makes a dead thread a transient InternalError, and a damaged entry a final InvalidArgument', () => {
    const dead = toTaskFailure(new ThreadExitError('an inflate thread exited (1)'));
    expect(dead).toBeInstanceOf(TaskError);
    expect(dead).toMatchObject({ code: 'InternalError', transient: true });
    const damaged = toTaskFailure(ArchiveErrors.corrupt('invalid block type', 'a.bin'));
    expect(damaged).toMatchObject({ code: 'InvalidArgument' });
    expect((damaged as TaskError).transient).toBeFalsy();
  });
});

/**
 * `Notification.ExtendedMessageURI`: the task's full result as one JSON object (the decoded `content`
 * plus the processor's `details`, e.g. `Files`), written through the project's service role. Large
 * lists (80,000 archive entries) are serialised element by element so memory stays flat.
 */
import { Readable } from 'node:stream';
import { TaskError, TaskErrors } from '../processors/task-error.ts';
import { AccessDeniedError, BucketNotFoundError, ObjectNotFoundError } from '../storage/backend.ts';
import type { ScopedStorage } from '../storage/scoped-storage.ts';

// Arrays are emitted in chunks of this many elements: few, mid-sized writes.
const CHUNK = 256;

function* serialise(content: Record<string, unknown>, details: Record<string, unknown> | undefined) {
  const merged: Array<[string, unknown]> = Object.entries(content);
  for (const [key, value] of Object.entries(details ?? {})) {
    if (!(key in content) && value !== undefined) merged.push([key, value]);
  }
  let first = true;
  yield '{';
  for (const [key, value] of merged) {
    if (value === undefined) continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (Array.isArray(value)) yield* serialiseArray(value);
    else yield JSON.stringify(value) ?? 'null';
  }
  yield '}';
}

function* serialiseArray(items: unknown[]) {
  yield '[';
  for (let i = 0; i < items.length; i += CHUNK) {
    const part = items.slice(i, i + CHUNK).map((v) => JSON.stringify(v) ?? 'null');
    yield `${i === 0 ? '' : ','}${part.join(',')}`;
  }
  yield ']';
}

/** Storage errors become the task-level errors of spec 6.5, so the caller can log them uniformly. */
function mapStorageError(err: unknown, uri: string): unknown {
  if (err instanceof AccessDeniedError) return TaskErrors.noPermission(err.message);
  if (err instanceof BucketNotFoundError) return TaskErrors.invalidArgument(err.message);
  if (err instanceof ObjectNotFoundError) return TaskErrors.fileNotExist(uri);
  return err instanceof TaskError ? err : TaskErrors.internal('Writing the extended message failed.', err);
}

/**
 * Writes `{...content, ...details}` (content keys first, in their order) as `application/json`, replacing
 * any existing object. Throws TaskError on failure; per spec 8.3.1 the caller logs it and the task
 * status does not change.
 */
export async function writeExtendedMessage(
  storage: ScopedStorage,
  uri: string,
  content: Record<string, unknown>,
  details?: Record<string, unknown>,
): Promise<void> {
  const body = Readable.from(serialise(content, details), { objectMode: false });
  try {
    await storage.write(uri, body, { contentType: 'application/json' });
  } catch (err) {
    throw mapStorageError(err, uri);
  }
}

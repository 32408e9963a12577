import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `<TaskType>-<UUIDv4>`, as IMM names its tasks. */
export function newTaskId(taskType: string): string {
  return `${taskType}-${randomUUID()}`;
}

/** IMM's event id shape: `<3 hex>-<27 base62>`, e.g. `0ED-1Bz8z71k5TtsUejT4UJ16Esabcd`. */
export function newEventId(): string {
  const bytes = randomBytes(29);
  const head = (bytes.readUInt16BE(0) & 0xfff).toString(16).toUpperCase().padStart(3, '0');
  let tail = '';
  for (let i = 2; i < 29; i++) tail += BASE62[bytes[i]! % 62];
  return `${head}-${tail}`;
}

/** The task type a TaskId names (its prefix), or undefined for a malformed id. */
export function taskTypeOfId(taskId: string): string | undefined {
  const m = /^([A-Za-z]+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(taskId);
  return m?.[1];
}

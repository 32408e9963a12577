/** Shared set-up of the FileUncompression tests: a storage, a run context, parsed params, failures. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { fileUncompressionProcessor as proc } from '../../../src/processors/file-uncompression/index.ts';
import type { FileUncompressionParams } from '../../../src/processors/file-uncompression/params.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import type { TestStorage } from '../../helpers/storage.ts';

export const uncompress = proc;

export const params = (raw: Record<string, unknown>): FileUncompressionParams =>
  parseParams(proc.params, raw);

export async function failureOf(promise: Promise<unknown>): Promise<TaskError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskError);
  return err as TaskError;
}

/** Puts a local file as an object. */
export async function putFile(ts: TestStorage, uri: string, file: string): Promise<void> {
  await ts.put(uri, await readFile(file));
}

export const FIXTURES = path.join(import.meta.dirname, '../../fixtures/archive');

/** Every object of every bucket, as URIs (the fs backend's folders, its temp folder excluded). */
export async function allObjects(ts: TestStorage): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const uris: string[] = [];
  for (const bucket of await readdir(path.join(ts.dataDir, 'oss')))
    uris.push(...(await ts.list(`oss://${bucket}/`)));
  return uris.sort();
}

/** Runs MediaConvert requests end to end on the real fs storage stack, as the task engine would. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeMediaConvertProcessor } from '../../../src/processors/media-convert/index.ts';
import { parseParams } from '../../../src/processors/params.ts';
import type { TaskOutcome } from '../../../src/processors/types.ts';
import { tempDir } from '../../engines/ffmpeg/media-fixtures.ts';
import { makeCreateContext, makeRunContext, type TestRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';

export const processor = makeMediaConvertProcessor();

export interface Harness {
  storage: TestStorage;
  dir: string;
  /** Uploads a local file to `uri`. */
  upload(uri: string, file: string): Promise<void>;
  /** Downloads `uri` into the scratch folder, for ffprobe. */
  download(uri: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeHarness(): Promise<Harness> {
  const storage = await makeTestStorage();
  const dir = await tempDir();
  let n = 0;
  return {
    storage,
    dir,
    async upload(uri, file) {
      await storage.put(uri, await fs.readFile(file));
    },
    async download(uri) {
      const file = path.join(dir, `download-${n++}-${path.basename(uri)}`);
      await fs.writeFile(file, await storage.get(uri));
      return file;
    },
    async cleanup() {
      await storage.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Wire-style parameters: complex values JSON-encoded as the SDK sends them. */
export function wire(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
  );
}

export function parse(params: Record<string, unknown>) {
  return parseParams(processor.params, wire(params));
}

export async function validate(h: Harness, params: Record<string, unknown>): Promise<void> {
  await processor.validate(parse(params), makeCreateContext(h.storage.scoped));
}

export async function convert(
  h: Harness,
  params: Record<string, unknown>,
  hook?: (ctx: TestRunContext) => void,
): Promise<TaskOutcome & { progress: number[] }> {
  const p = parse(params);
  await processor.validate(p, makeCreateContext(h.storage.scoped));
  const ctx = makeRunContext(h.storage.scoped, { taskType: 'MediaConvert' });
  hook?.(ctx);
  try {
    const outcome = await processor.run(p, ctx);
    return { ...outcome, progress: ctx.progressValues };
  } finally {
    await ctx.cleanup();
  }
}

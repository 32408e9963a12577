import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileCompressionProcessor } from '../../../src/processors/file-compression/index.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { putFast } from '../../engines/archive/archive-tools.ts';
import { makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';
import { params, uncompress } from './uncompress-helpers.ts';

let ts: TestStorage;
const hashes = new Map<string, string>();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  ts = await makeTestStorage();
  await ts.registry.ensureBucket('out');
  for (let i = 0; i < 1000; i++) {
    // text-like, random and empty files, a few over the writer's 1 MiB chunk
    const size = i % 250 === 0 ? 3 * 1024 * 1024 + i : i % 97 === 0 ? 0 : 100 + ((i * 7919) % 20_000);
    const data =
      i % 2 === 0
        ? randomBytes(size)
        : Buffer.from(`line ${i} of a text file\n`.repeat(Math.ceil(size / 25))).subarray(0, size);
    const key = `tree/${i % 10 === 0 ? '目录' : `d${i % 13}`}/f${i}.${i % 3 === 0 ? 'bin' : 'txt'}`;
    await putFast(ts, `oss://src/${key}`, data);
    hashes.set(key.slice('tree/'.length), sha(data));
  }
  const manifest = [...hashes.keys()].map((rel) => ({
    URI: `oss://src/tree/${rel}`,
    Mode: 'fullname',
    Alias: `/restored/${rel}`,
  }));
  await ts.put('oss://src/manifest.json', JSON.stringify(manifest));
}, 120_000);
afterAll(async () => {
  await ts.cleanup();
});

it('compresses 1,000 objects listed in a SourceManifestURI and uncompresses them byte-identical', async () => {
  const ctx = makeRunContext(ts.scoped);
  const packed = await fileCompressionProcessor.run(
    parseParams(fileCompressionProcessor.params, {
      TargetURI: 'oss://out/round/trip.zip',
      SourceManifestURI: 'oss://src/manifest.json',
    }),
    ctx,
  );
  expect(packed.content?.TargetURI).toBe('oss://out/round/trip.zip');
  const unpacked = await uncompress.run(
    params({ SourceURI: 'oss://out/round/trip.zip', TargetURI: 'oss://out/round/x/' }),
    ctx,
  );
  await ctx.cleanup();
  const files = unpacked.details!.Files as Array<{ URI: string; Size: number }>;
  expect(files.length).toBe(1000);
  const listed = await ts.list('oss://out/round/x/restored/');
  expect(listed.length).toBe(1000);
  for (const uri of listed) {
    const rel = uri.slice('oss://out/round/x/restored/'.length);
    expect(sha(await ts.get(uri)), rel).toBe(hashes.get(rel));
  }
});

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCompressionProcessor as proc } from '../../../src/processors/file-compression/index.ts';
import type { FileCompressionParams } from '../../../src/processors/file-compression/params.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import { ImmError } from '../../../src/protocol/errors.ts';
import { compilePolicy } from '../../../src/storage/policy.ts';
import { createScopedStorage } from '../../../src/storage/scoped.ts';
import { putFast, pyZipEntries, readTree, run, tempDir } from '../../engines/archive/archive-tools.ts';
import { makeCreateContext, makeRunContext, type TestRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, TEST_ACCOUNT, TEST_REGION, type TestStorage } from '../../helpers/storage.ts';

let ts: TestStorage;
let ctx: TestRunContext;
let work: string;

beforeEach(async () => {
  ts = await makeTestStorage();
  await ts.registry.ensureBucket('out');
  ctx = makeRunContext(ts.scoped, { taskType: 'FileCompression' });
  work = await tempDir();
});
afterEach(async () => {
  await ctx.cleanup();
  await ts.cleanup();
  await run('rm', ['-rf', work]);
});

const params = (raw: Record<string, unknown>): FileCompressionParams => parseParams(proc.params, raw);

async function fetchZip(uri: string): Promise<string> {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(file, await ts.get(uri));
  return file;
}

async function failureOf(promise: Promise<unknown>): Promise<TaskError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskError);
  return err as TaskError;
}

describe('FileCompression run', () => {
  it('packs Sources with every Alias form, UTF-8 names flagged, readable by python and unzip', async () => {
    await ts.put('oss://src/dir/a.txt', 'alpha'.repeat(1000));
    await ts.put('oss://src/dir/sub/b.bin', randomBytes(5000));
    await ts.put('oss://src/photos/照片.jpg', randomBytes(3000));
    await ts.put('oss://src/other/c.txt', 'gamma');
    await ts.put('oss://src/flat/x/y/deep.txt', 'deep');
    const p = params({
      TargetURI: 'oss://out/pack.zip',
      Sources: JSON.stringify([
        { URI: 'oss://src/dir/' },
        { URI: 'oss://src/photos/照片.jpg', Mode: 'fullname', Alias: '/renamed/新.jpg' },
        { URI: 'oss://src/other/', Alias: '/moved/' },
        { URI: 'oss://src/flat/', Alias: '/' },
      ]),
    });
    const outcome = await proc.run(p, ctx);
    expect(outcome.content).toEqual({
      Sources: [
        { URI: 'oss://src/dir/', Alias: '', Mode: '' },
        { URI: 'oss://src/photos/照片.jpg', Alias: '/renamed/新.jpg', Mode: 'fullname' },
        { URI: 'oss://src/other/', Alias: '/moved/', Mode: '' },
        { URI: 'oss://src/flat/', Alias: '/', Mode: '' },
      ],
      SourceManifestURI: '',
      TargetURI: 'oss://out/pack.zip',
    });
    const zipPath = await fetchZip('oss://out/pack.zip');
    const entries = await pyZipEntries(zipPath);
    expect(entries.map((e) => e.name).sort()).toEqual(
      ['deep.txt', 'dir/a.txt', 'dir/sub/b.bin', 'moved/c.txt', 'renamed/新.jpg'].sort(),
    );
    for (const e of entries) expect(e.flagBits & 0x800).toBe(0x800);
    // .jpg is stored (already compressed), text is deflated
    expect(entries.find((e) => e.name.endsWith('.jpg'))!.compressType).toBe(0);
    expect(entries.find((e) => e.name === 'dir/a.txt')!.compressType).toBe(8);
    const out = path.join(work, 'x');
    await run('unzip', ['-q', zipPath, '-d', out]);
    const tree = await readTree(out);
    expect(tree.get('dir/a.txt')!.toString()).toBe('alpha'.repeat(1000));
    expect(tree.get('renamed/新.jpg')).toEqual(await ts.get('oss://src/photos/照片.jpg'));
    expect(ctx.progressValues.length).toBeGreaterThan(0);
    expect(ctx.progressValues).toEqual([...ctx.progressValues].sort((a, b) => a - b));
    expect(Math.max(...ctx.progressValues)).toBeGreaterThanOrEqual(90);
  });

  it('packs objects listed in a manifest and they unzip byte-identical', async () => {
    const manifest: Array<{ URI: string; Mode: string }> = [];
    const expected = new Map<string, Buffer>();
    for (let i = 0; i < 300; i++) {
      const data = randomBytes(50 + (i % 400));
      const key = `tree/d${i % 17}/f${i}.dat`;
      await putFast(ts, `oss://src/${key}`, data);
      manifest.push({ URI: `oss://src/${key}`, Mode: 'fullname' });
      expected.set(key, data);
    }
    await ts.put('oss://src/manifest.json', JSON.stringify(manifest));
    const p = params({ TargetURI: 'oss://out/m.zip', SourceManifestURI: 'oss://src/manifest.json' });
    const outcome = await proc.run(p, ctx);
    expect(outcome.content).toMatchObject({ Sources: null, SourceManifestURI: 'oss://src/manifest.json' });
    const out = path.join(work, 'm');
    await run('unzip', ['-q', await fetchZip('oss://out/m.zip'), '-d', out]);
    const tree = await readTree(out);
    expect(tree.size).toBe(300);
    for (const [key, data] of expected) expect(tree.get(key)?.equals(data), key).toBe(true);
  });

  it('resolves a TargetURI template from the first source, the tags and the creation time', async () => {
    await ts.put('oss://src/docs/report.txt', 'r');
    const created = new Date(Date.UTC(2024, 4, 6, 7, 8, 9));
    const tagged = makeRunContext(ts.scoped, { tags: { team: 'blue' }, createdAt: created });
    const p = params({
      TargetURI: 'oss://out/{tags.team}/{barename}-{t_year}{t_mon}.zip',
      Sources: [{ URI: 'oss://src/docs/report.txt', Mode: 'fullname' }],
    });
    await proc.validate(p, makeCreateContext(ts.scoped, { tags: { team: 'blue' }, now: created }));
    const outcome = await proc.run(p, tagged);
    await tagged.cleanup();
    expect(outcome.content?.TargetURI).toBe('oss://out/blue/report-202405.zip');
    expect(await ts.exists('oss://out/blue/report-202405.zip')).toBe(true);
  });

  it('fails with File does not exist when a source is missing, and writes no archive', async () => {
    await ts.put('oss://src/a.txt', 'a');
    const p = params({
      TargetURI: 'oss://out/none.zip',
      Sources: [
        { URI: 'oss://src/a.txt', Mode: 'fullname' },
        { URI: 'oss://src/gone.txt', Mode: 'fullname' },
      ],
    });
    const err = await failureOf(proc.run(p, ctx));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('File does not exist. oss://src/gone.txt');
    expect(await ts.exists('oss://out/none.zip')).toBe(false);
  });

  it('fails when an empty prefix matches nothing, and when two sources land on one path', async () => {
    await ts.put('oss://src/a/x.txt', '1');
    await ts.put('oss://src/b/x.txt', '2');
    const empty = await failureOf(
      proc.run(params({ TargetURI: 'oss://out/e.zip', Sources: [{ URI: 'oss://src/nothing/' }] }), ctx),
    );
    expect(empty.message).toBe('File does not exist. oss://src/nothing/');
    const dup = await failureOf(
      proc.run(
        params({
          TargetURI: 'oss://out/d.zip',
          Sources: [
            { URI: 'oss://src/a/', Alias: '/' },
            { URI: 'oss://src/b/', Alias: '/' },
          ],
        }),
        ctx,
      ),
    );
    expect(dup.code).toBe('InvalidArgument');
    expect(dup.message).toContain('"x.txt"');
    expect(await ts.list('oss://out/')).toEqual([]);
  });

  it('enforces the file-count and size limits while planning', async () => {
    for (let i = 0; i < 5; i++) await ts.put(`oss://src/many/${i}.txt`, 'x'.repeat(100));
    const few = makeRunContext(ts.scoped, { limits: { ...ctx.limits, archiveMaxEntries: 4 } });
    const tooMany = await failureOf(
      proc.run(params({ TargetURI: 'oss://out/l.zip', Sources: [{ URI: 'oss://src/many/' }] }), few),
    );
    expect(tooMany.code).toBe('LimitExceededError');
    const small = makeRunContext(ts.scoped, { limits: { ...ctx.limits, archiveMaxTotalBytes: 450 } });
    const tooBig = await failureOf(
      proc.run(params({ TargetURI: 'oss://out/l.zip', Sources: [{ URI: 'oss://src/many/' }] }), small),
    );
    expect(tooBig.code).toBe('LimitExceededError');
    await few.cleanup();
    await small.cleanup();
    expect(await ts.exists('oss://out/l.zip')).toBe(false);
  });

  it('rejects a malformed manifest with InvalidArgument', async () => {
    await ts.put('oss://src/x.txt', 'x');
    await ts.put('oss://src/bad.json', '[{"URI":"oss://src/x.txt"}, {"URI": 12}]');
    const err = await failureOf(
      proc.run(params({ TargetURI: 'oss://out/b.zip', SourceManifestURI: 'oss://src/bad.json' }), ctx),
    );
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('item 2');
  });

  it('stops at once when aborted and leaves no archive', async () => {
    await ts.put('oss://src/big.bin', randomBytes(8 * 1024 * 1024));
    const p = params({
      TargetURI: 'oss://out/abort.zip',
      Sources: [{ URI: 'oss://src/big.bin', Mode: 'fullname' }],
    });
    const running = proc.run(p, ctx);
    setTimeout(() => ctx.abort(), 5);
    await expect(running).rejects.toThrow();
    expect(await ts.exists('oss://out/abort.zip')).toBe(false);
  });
});

describe('FileCompression params and create-time validation', () => {
  it('requires exactly one of Sources and SourceManifestURI, and a zip format', () => {
    expect(() => params({ TargetURI: 'oss://out/a.zip' })).toThrow(
      /Exactly one of Sources and SourceManifestURI/,
    );
    expect(() =>
      params({
        TargetURI: 'oss://out/a.zip',
        Sources: '[{"URI":"oss://a/b"}]',
        SourceManifestURI: 'oss://a/m.json',
      }),
    ).toThrow(ImmError);
    expect(() =>
      params({ TargetURI: 'oss://out/a.zip', Sources: '[{"URI":"oss://a/b"}]', CompressedFormat: 'rar' }),
    ).toThrow(/CompressedFormat/);
    const many = JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ URI: `oss://src/${i}` })));
    expect(() => params({ TargetURI: 'oss://out/a.zip', Sources: many })).toThrow(/At most 100/);
    try {
      params({ Sources: '[{"URI":"oss://a/b"}]' });
    } catch (err) {
      expect((err as ImmError).code).toBe('MissingTargetURI');
    }
  });

  it('checks URIs, buckets, existence and access', async () => {
    await ts.put('oss://src/a.txt', 'a');
    await ts.put('oss://out/keep.txt', 'k');
    const create = makeCreateContext(ts.scoped);
    const check = async (raw: Record<string, unknown>) => {
      const err = await proc.validate(params(raw), create).then(
        () => null,
        (e: unknown) => e,
      );
      return err as ImmError | null;
    };
    expect(
      await check({ TargetURI: 'oss://out/a.zip', Sources: [{ URI: 'oss://src/a.txt', Mode: 'fullname' }] }),
    ).toBeNull();
    expect(
      (await check({ TargetURI: 'oss://nobucket/a.zip', Sources: [{ URI: 'oss://src/a.txt' }] }))?.message,
    ).toContain('nobucket');
    expect((await check({ TargetURI: 'oss://out/', Sources: [{ URI: 'oss://src/a.txt' }] }))?.code).toBe(
      'InvalidArgument',
    );
    expect(
      (await check({ TargetURI: 'http://out/a.zip', Sources: [{ URI: 'oss://src/a.txt' }] }))?.code,
    ).toBe('InvalidArgument');
    const missing = await check({
      TargetURI: 'oss://out/a.zip',
      Sources: [{ URI: 'oss://src/b.txt', Mode: 'fullname' }],
    });
    expect(missing?.message).toBe('File does not exist. oss://src/b.txt');
    const bad = await check({
      TargetURI: 'oss://out/a.zip',
      Sources: [{ URI: 'oss://src/a.txt', Alias: '/../up.txt' }],
    });
    expect(bad?.code).toBe('InvalidArgument');
    expect(
      (await check({ TargetURI: 'oss://out/a.zip', SourceManifestURI: 'oss://src/none.json' }))?.message,
    ).toContain('File does not exist.');

    const readOnly = createScopedStorage(ts.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'ReadOnly',
      region: TEST_REGION,
      policy: compilePolicy([{ actions: ['read'], resources: ['oss://src/*'] }]),
    });
    const denied = await proc
      .validate(
        params({ TargetURI: 'oss://out/a.zip', Sources: [{ URI: 'oss://src/a.txt' }] }),
        makeCreateContext(readOnly),
      )
      .then(
        () => null,
        (e: unknown) => e as ImmError,
      );
    expect(denied?.code).toBe('NoPermission');
    expect(denied?.httpStatus).toBe(403);
  });
});

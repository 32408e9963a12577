import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveFileInspectionProcessor as proc } from '../../../src/processors/archive-file-inspection/index.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { run, tempDir } from '../../engines/archive/archive-tools.ts';
import { makeHostileZips, sevenZip, writeTree } from '../../engines/archive/make-archives.ts';
import { makeCreateContext, makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';
import { FIXTURES, failureOf, putFile } from '../file-uncompression/uncompress-helpers.ts';

let ts: TestStorage;
let work: string;

beforeAll(async () => {
  ts = await makeTestStorage();
  work = await tempDir();
  const src = path.join(work, 'src');
  await writeTree(src, {
    'docs/a.txt': 'alpha'.repeat(100),
    'docs/b.txt': 'beta',
    'top.bin': Buffer.alloc(5000, 1),
  });
  await run('touch', ['-d', '2024-03-04T05:06:08Z', path.join(src, 'docs/a.txt')]);
  await sevenZip(path.join(work, 'locked.zip'), src, ['-tzip', '-pOpenSesame', '-mem=AES256']);
  await sevenZip(path.join(work, 'locked.7z'), src, ['-pOpenSesame', '-mhe=on']);
  await makeHostileZips(work);
  for (const f of ['locked.zip', 'locked.7z', 'traversal.zip', 'many.zip', 'notzip.zip'])
    await putFile(ts, `oss://inbox/${f}`, path.join(work, f));
  await putFile(ts, 'oss://inbox/example.rar', path.join(FIXTURES, 'rar4-example.rar'));
  await putFile(ts, 'oss://inbox/hpsw.rar', path.join(FIXTURES, 'rar5-hpsw.rar'));
}, 120_000);
afterAll(async () => {
  await ts.cleanup();
  await run('rm', ['-rf', work]);
});

const inspect = async (raw: Record<string, unknown>, limits?: Record<string, number>) => {
  const ctx = makeRunContext(
    ts.scoped,
    limits ? { limits: { ...makeRunContext(ts.scoped).limits, ...limits } } : {},
  );
  try {
    return await proc.run(parseParams(proc.params, raw), ctx);
  } finally {
    await ctx.cleanup();
  }
};

describe('ArchiveFileInspection', () => {
  it("lists a password-protected zip's entries without the password, with the spec's fields", async () => {
    const outcome = await inspect({ SourceURI: 'oss://inbox/locked.zip' });
    expect(outcome.content).toEqual({ SourceURI: 'oss://inbox/locked.zip' });
    const files = outcome.details?.Files as Array<Record<string, unknown>>;
    const byPath = new Map(files.map((f) => [f.Path, f]));
    expect([...byPath.keys()].sort()).toEqual(['docs/', 'docs/a.txt', 'docs/b.txt', 'top.bin']);
    expect(byPath.get('docs/a.txt')).toEqual({
      Name: 'a.txt',
      Path: 'docs/a.txt',
      Size: 500,
      IsDir: false,
      LastModified: '2024-03-04T05:06:08Z',
      CompressedSize: expect.any(Number),
    });
    expect(byPath.get('docs/')).toMatchObject({ Name: 'docs', IsDir: true, Size: 0 });
    expect(Object.keys(files[0]!)).toEqual([
      'Name',
      'Path',
      'Size',
      'IsDir',
      'LastModified',
      'CompressedSize',
    ]);
  });

  it('lists a 7z with encrypted headers only with the right password', async () => {
    const outcome = await inspect({ SourceURI: 'oss://inbox/locked.7z', Password: 'OpenSesame' });
    expect((outcome.details!.Files as unknown[]).length).toBe(4);
    expect((await failureOf(inspect({ SourceURI: 'oss://inbox/locked.7z' }))).message).toMatch(
      /Password is required/,
    );
    expect(
      (await failureOf(inspect({ SourceURI: 'oss://inbox/locked.7z', Password: 'nope' }))).message,
    ).toMatch(/Password is wrong/);
  });

  it('lists a RAR 5 archive with encrypted headers only with the right password', async () => {
    const outcome = await inspect({ SourceURI: 'oss://inbox/hpsw.rar', Password: 'password' });
    const files = outcome.details!.Files as Array<{ Path: string; Size: number; LastModified: string }>;
    expect(files.map((f) => [f.Path, f.Size])).toEqual([
      ['stest1.txt', 2048],
      ['stest2.txt', 2048],
    ]);
    // RAR 5 stores 09:53:33 UTC; unRAR's listing interface hands times over in DOS form (2 s steps)
    expect(files[0]!.LastModified).toBe('2011-06-12T09:53:32Z');
    expect((await failureOf(inspect({ SourceURI: 'oss://inbox/hpsw.rar' }))).message).toMatch(/Password/);
    expect(
      (await failureOf(inspect({ SourceURI: 'oss://inbox/hpsw.rar', Password: 'nope' }))).message,
    ).toMatch(/Password/);
  });

  it('lists RAR archives and reports hostile names as they are, without judging them', async () => {
    const rar = await inspect({ SourceURI: 'oss://inbox/example.rar' });
    expect((rar.details!.Files as Array<{ Path: string }>).map((f) => f.Path).sort()).toEqual([
      'example/',
      'example/empty/',
      'example/foo/',
      'example/foo/bar.txt',
      'example/hoge.txt',
    ]);
    const hostile = await inspect({ SourceURI: 'oss://inbox/traversal.zip' });
    expect((hostile.details!.Files as Array<{ Path: string }>).map((f) => f.Path)).toEqual([
      'ok.txt',
      '../evil.txt',
    ]);
  });

  it('fails with codes: entry limit, not an archive, missing object', async () => {
    expect(
      (await failureOf(inspect({ SourceURI: 'oss://inbox/many.zip' }, { archiveMaxEntries: 10 }))).code,
    ).toBe('LimitExceededError');
    expect((await failureOf(inspect({ SourceURI: 'oss://inbox/notzip.zip' }))).code).toBe('InvalidArgument');
    expect((await failureOf(inspect({ SourceURI: 'oss://inbox/none.zip' }))).message).toBe(
      'File does not exist. oss://inbox/none.zip',
    );
    const err = await proc
      .validate(parseParams(proc.params, { SourceURI: 'oss://inbox/none.zip' }), makeCreateContext(ts.scoped))
      .then(
        () => null,
        (e: unknown) => e as { code: string },
      );
    expect(err?.code).toBe('InvalidArgument');
    expect(proc.secretFields).toEqual(['Password']);
  });
});

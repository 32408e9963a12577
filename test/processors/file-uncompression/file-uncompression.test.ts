import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImmError } from '../../../src/protocol/errors.ts';
import { run, tempDir } from '../../engines/archive/archive-tools.ts';
import { makeEncodedZips, sevenZip, writeTree } from '../../engines/archive/make-archives.ts';
import { makeCreateContext, makeRunContext, type TestRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';
import { FIXTURES, failureOf, params, putFile, uncompress } from './uncompress-helpers.ts';

let ts: TestStorage;
let work: string;
let ctx: TestRunContext;
const tree: Record<string, Buffer> = {
  'a.txt': Buffer.from('alpha\n'.repeat(500)),
  'dir/b.bin': randomBytes(200_000),
  'dir/sub/c.txt': Buffer.from('gamma'),
  'dir/empty.txt': Buffer.alloc(0),
  '中文/文件.txt': Buffer.from('unicode name'),
};

beforeAll(async () => {
  ts = await makeTestStorage();
  await ts.registry.ensureBucket('out');
  work = await tempDir();
  const src = path.join(work, 'src');
  await writeTree(src, tree);
  await run('zip', ['-qr', '-6', path.join(work, 'cli.zip'), '.'], src);
  await sevenZip(path.join(work, 'plain.7z'), src);
  await sevenZip(path.join(work, 'secret.7z'), src, ['-pS3cret', '-mhe=on']);
  await sevenZip(path.join(work, 'aes.zip'), src, ['-tzip', '-pS3cret', '-mem=AES256']);
  await sevenZip(path.join(work, 'zipcrypto.zip'), src, ['-tzip', '-pS3cret', '-mem=ZipCrypto']);
  await sevenZip(path.join(work, 'bzip2.zip'), src, ['-tzip', '-mm=BZip2']);
  await makeEncodedZips(work);
  for (const f of [
    'cli.zip',
    'plain.7z',
    'secret.7z',
    'aes.zip',
    'zipcrypto.zip',
    'bzip2.zip',
    'gbk.zip',
    'cp437.zip',
    'zip64.zip',
    'utf8.zip',
  ]) {
    await putFile(ts, `oss://inbox/${f}`, path.join(work, f));
  }
  for (const f of [
    'rar4-example.rar',
    'rar4-encrypted.rar',
    'rar4-cp932-names.rar',
    'rar4-compressed.rar',
    'rar5-subdirs.rar',
    'rar5-psw.rar',
    'rar5-hpsw.rar',
    'rar5-solid.rar',
  ]) {
    await putFile(ts, `oss://inbox/rar/${f}`, path.join(FIXTURES, f));
  }
});
afterAll(async () => {
  await ts.cleanup();
  await run('rm', ['-rf', work]);
});
beforeEach(() => {
  ctx = makeRunContext(ts.scoped, { taskType: 'FileUncompression' });
  return () => ctx.cleanup();
});

async function expectTree(prefix: string, expected: Record<string, Buffer>) {
  const listed = (await ts.list(prefix)).map((u) => u.slice(prefix.length)).sort();
  expect(listed).toEqual(Object.keys(expected).sort());
  // Buffer.equals: vitest's deep equality walks large buffers byte by byte, which takes seconds
  for (const [rel, data] of Object.entries(expected))
    expect((await ts.get(prefix + rel)).equals(data), rel).toBe(true);
}

describe('FileUncompression formats', () => {
  it.each([
    ['cli.zip', undefined],
    ['plain.7z', undefined],
    ['secret.7z', 'S3cret'],
    ['aes.zip', 'S3cret'],
    ['zipcrypto.zip', 'S3cret'],
    ['bzip2.zip', undefined],
  ])('extracts %s byte-identical under the target prefix', async (name, password) => {
    const target = `oss://out/${name}/`;
    const outcome = await uncompress.run(
      params({ SourceURI: `oss://inbox/${name}`, TargetURI: target, Password: password }),
      ctx,
    );
    await expectTree(target, tree);
    expect(outcome.content).toEqual({
      SourceURI: `oss://inbox/${name}`,
      TargetURI: target,
      SelectedFiles: null,
    });
    const files = outcome.details?.Files as Array<{ URI: string; Size: number }>;
    expect(files.map((f) => f.URI).sort()).toEqual(
      Object.keys(tree)
        .map((k) => target + k)
        .sort(),
    );
    expect(files.find((f) => f.URI.endsWith('dir/b.bin'))?.Size).toBe(200_000);
    expect(Math.max(...ctx.progressValues)).toBeGreaterThanOrEqual(90);
  });

  it('extracts real RAR 4 and RAR 5 archives: stored, compressed, solid, encrypted, with Japanese and UTF-8 names', async () => {
    const cases: Array<[string, string | undefined, Record<string, number>]> = [
      ['rar4-example.rar', undefined, { 'example/hoge.txt': 8, 'example/foo/bar.txt': 6 }],
      ['rar4-compressed.rar', undefined, { 'testContent/hello.txt': 40, 'testContent/pug.jpg': 34_830 }],
      [
        'rar4-encrypted.rar',
        'password',
        { 'example-encrypted/hoge.txt': 8, 'example-encrypted/foo/bar.txt': 6 },
      ],
      ['rar4-cp932-names.rar', undefined, { 'ディレクトリ/テキストファイル.txt': 41 }],
      [
        'rar5-subdirs.rar',
        undefined,
        {
          'sub/dir1/file1.txt': 6,
          'sub/dir2/file2.txt': 6,
          'sub/with space/long fn.txt': 8,
          'sub/üȵĩöḋè/file.txt': 5,
        },
      ],
      ['rar5-psw.rar', 'password', { 'stest1.txt': 2048, 'stest2.txt': 2048 }],
      ['rar5-hpsw.rar', 'password', { 'stest1.txt': 2048, 'stest2.txt': 2048 }],
      ['rar5-solid.rar', undefined, { 'stest1.txt': 2048, 'stest2.txt': 2048 }],
    ];
    for (const [name, password, expected] of cases) {
      const target = `oss://out/rar/${name}/`;
      await uncompress.run(
        params({ SourceURI: `oss://inbox/rar/${name}`, TargetURI: target, Password: password }),
        ctx,
      );
      const listed = await ts.list(target);
      expect(listed.map((u) => u.slice(target.length)).sort()).toEqual(Object.keys(expected).sort());
      for (const [rel, size] of Object.entries(expected))
        expect((await ts.get(target + rel)).length).toBe(size);
    }
    expect((await ts.get('oss://out/rar/rar4-compressed.rar/testContent/hello.txt')).toString()).toContain(
      'hello the world',
    );
  });

  it('decodes GBK, CP437 and flagged UTF-8 names, and reads Zip64 records', async () => {
    await uncompress.run(params({ SourceURI: 'oss://inbox/gbk.zip', TargetURI: 'oss://out/gbk/' }), ctx);
    expect((await ts.get('oss://out/gbk/中文目录/报告.txt')).toString()).toBe('gbk one');
    expect((await ts.get('oss://out/gbk/数据.csv')).toString()).toBe('gbk two');
    await uncompress.run(params({ SourceURI: 'oss://inbox/cp437.zip', TargetURI: 'oss://out/cp437/' }), ctx);
    expect((await ts.get('oss://out/cp437/café/résumé.txt')).toString()).toBe('cp437 one');
    await uncompress.run(params({ SourceURI: 'oss://inbox/utf8.zip', TargetURI: 'oss://out/utf8/' }), ctx);
    expect((await ts.get('oss://out/utf8/目录/ファイル.txt')).toString()).toBe('utf8 flagged');
    await uncompress.run(params({ SourceURI: 'oss://inbox/zip64.zip', TargetURI: 'oss://out/z64/' }), ctx);
    expect((await ts.get('oss://out/z64/big2.txt')).toString()).toBe('zip64 entry 2 '.repeat(1000));
  });

  it('extracts only SelectedFiles (files and whole folders) and refuses names the archive lacks', async () => {
    for (const name of ['cli.zip', 'plain.7z']) {
      const target = `oss://out/selected/${name}/`;
      const outcome = await uncompress.run(
        params({
          SourceURI: `oss://inbox/${name}`,
          TargetURI: target,
          SelectedFiles: JSON.stringify(['a.txt', 'dir/sub/']),
        }),
        ctx,
      );
      await expectTree(target, { 'a.txt': tree['a.txt']!, 'dir/sub/c.txt': tree['dir/sub/c.txt']! });
      expect(outcome.content?.SelectedFiles).toEqual(['a.txt', 'dir/sub/']);
    }
    const err = await failureOf(
      uncompress.run(
        params({
          SourceURI: 'oss://inbox/cli.zip',
          TargetURI: 'oss://out/none/',
          SelectedFiles: ['nope.txt'],
        }),
        ctx,
      ),
    );
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('nope.txt');
    expect(await ts.list('oss://out/none/')).toEqual([]);
  });

  it('writes beside the archive without TargetURI, and resolves a TargetURI template', async () => {
    await putFile(ts, 'oss://inbox/deep/folder/pack.zip', path.join(work, 'cli.zip'));
    const outcome = await uncompress.run(params({ SourceURI: 'oss://inbox/deep/folder/pack.zip' }), ctx);
    expect(outcome.content?.TargetURI).toBe('oss://inbox/deep/folder/');
    expect(await ts.exists('oss://inbox/deep/folder/dir/sub/c.txt')).toBe(true);
    const tagged = makeRunContext(ts.scoped, { tags: { job: 'j7' } });
    const templated = await uncompress.run(
      params({ SourceURI: 'oss://inbox/cli.zip', TargetURI: 'oss://out/{tags.job}/{barename}' }),
      tagged,
    );
    await tagged.cleanup();
    expect(templated.content?.TargetURI).toBe('oss://out/j7/cli/');
    expect(await ts.exists('oss://out/j7/cli/a.txt')).toBe(true);
  });

  it('fails on a missing archive, a wrong or missing password', async () => {
    expect(
      (
        await failureOf(
          uncompress.run(params({ SourceURI: 'oss://inbox/gone.zip', TargetURI: 'oss://out/x/' }), ctx),
        )
      ).message,
    ).toBe('File does not exist. oss://inbox/gone.zip');
    for (const [name, password] of [
      ['secret.7z', undefined],
      ['secret.7z', 'wrong'],
      ['aes.zip', undefined],
      ['aes.zip', 'wrong'],
      ['zipcrypto.zip', 'wrong'],
      ['rar/rar4-encrypted.rar', undefined],
      ['rar/rar4-encrypted.rar', 'wrong'],
      ['rar/rar5-psw.rar', undefined],
      ['rar/rar5-psw.rar', 'wrong'],
      ['rar/rar5-hpsw.rar', undefined],
      ['rar/rar5-hpsw.rar', 'wrong'],
    ] as const) {
      const target = `oss://out/pw/${name}/${password ?? 'none'}/`;
      const err = await failureOf(
        uncompress.run(
          params({ SourceURI: `oss://inbox/${name}`, TargetURI: target, Password: password }),
          ctx,
        ),
      );
      expect(err.code, `${name} ${password}`).toBe('InvalidArgument');
      expect(err.message, `${name} ${password}`).toMatch(/Password/);
      expect(await ts.list(target)).toEqual([]);
    }
  });

  it('validates at create time: URIs, existence, buckets and write access', async () => {
    const create = makeCreateContext(ts.scoped);
    const check = (raw: Record<string, unknown>) =>
      uncompress.validate(params(raw), create).then(
        () => null,
        (e: unknown) => e as ImmError,
      );
    expect(await check({ SourceURI: 'oss://inbox/cli.zip', TargetURI: 'oss://out/v/' })).toBeNull();
    expect((await check({ SourceURI: 'oss://inbox/none.zip' }))?.message).toBe(
      'File does not exist. oss://inbox/none.zip',
    );
    expect(
      (await check({ SourceURI: 'oss://inbox/cli.zip', TargetURI: 'oss://nobucket/x/' }))?.message,
    ).toContain('nobucket');
    expect((await check({ SourceURI: 'oss://inbox/', TargetURI: 'oss://out/x/' }))?.code).toBe(
      'InvalidArgument',
    );
    expect((await check({ SourceURI: 'oss://inbox/cli.zip', TargetURI: 'oss://out/{nope}/' }))?.code).toBe(
      'InvalidArgument',
    );
    expect(uncompress.secretFields).toContain('Password');
  });
});

/**
 * The hostile-archive corpus: every case ends Failed with its Code (or, for a nested bomb, extracts only
 * the outer level), and no object appears outside the target prefix, nor any file outside the data folder.
 */
import { existsSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultArchiveConfig } from '../../../src/engines/archive/config.ts';
import { makeFileUncompressionProcessor } from '../../../src/processors/file-uncompression/index.ts';
import type { ProcessorLimits } from '../../../src/processors/types.ts';
import { run, tempDir } from '../../engines/archive/archive-tools.ts';
import { makeHostileZips, sevenZip, writeTree } from '../../engines/archive/make-archives.ts';
import { makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';
import { allObjects, FIXTURES, failureOf, params, putFile } from './uncompress-helpers.ts';

let ts: TestStorage;
let work: string;

beforeAll(async () => {
  ts = await makeTestStorage();
  await ts.registry.ensureBucket('out');
  work = await tempDir();
  await makeHostileZips(work, { bomb: true });
  // 7z cases: a symbolic link, and a truncated archive
  const src = path.join(work, 'tree');
  await writeTree(src, { 'a.txt': 'target', 'b.bin': Buffer.alloc(300_000, 7) });
  await run('ln', ['-s', '/etc/passwd', path.join(src, 'link')]);
  await sevenZip(path.join(work, 'symlink.7z'), src, ['-snl']);
  await run('rm', [path.join(src, 'link')]);
  await sevenZip(path.join(work, 'good.7z'), src, ['-mx=1']);
  const { readFile } = await import('node:fs/promises');
  const good = await readFile(path.join(work, 'good.7z'));
  await writeFile(path.join(work, 'truncated.7z'), good.subarray(0, Math.floor(good.length / 2)));
  await writeFile(
    path.join(work, 'garbage.7z'),
    Buffer.concat([good.subarray(0, 32), Buffer.alloc(4096, 0x5a)]),
  );
  for (const name of await readdir(work)) {
    if (/\.(zip|7z)$/.test(name)) await putFile(ts, `oss://inbox/${name}`, path.join(work, name));
  }
  // RAR 5 links, made by RAR itself (checked-in fixtures, see the fixtures' README)
  for (const name of ['rar5-symlink-unix.rar', 'rar5-hlink.rar', 'rar5-evil-symlink-traversal.rar'])
    await putFile(ts, `oss://inbox/${name}`, path.join(FIXTURES, name));
}, 120_000);
afterAll(async () => {
  await ts.cleanup();
  await rm(work, { recursive: true, force: true });
});

const tight = (limits: Partial<ProcessorLimits>) => ({ ...makeRunContext(ts.scoped).limits, ...limits });

interface Case {
  archive: string;
  code: string | null;
  message?: RegExp;
  limits?: Partial<ProcessorLimits>;
  ratioGraceBytes?: number;
}

const cases: Array<[string, Case]> = [
  ['"../" traversal', { archive: 'traversal.zip', code: 'InvalidArgument', message: /"\.\." path segments/ }],
  [
    'traversal hidden in a folder',
    { archive: 'traversal-nested.zip', code: 'InvalidArgument', message: /"\.\."/ },
  ],
  ['absolute path', { archive: 'absolute.zip', code: 'InvalidArgument', message: /absolute paths/ }],
  ['drive letter', { archive: 'drive.zip', code: 'InvalidArgument', message: /drive letters/ }],
  ['backslash traversal', { archive: 'backslash.zip', code: 'InvalidArgument', message: /"\.\."/ }],
  [
    'control characters in a name',
    { archive: 'control.zip', code: 'InvalidArgument', message: /control characters/ },
  ],
  [
    'zip symlink entry',
    { archive: 'symlink.zip', code: 'InvalidArgument', message: /links are not extracted/ },
  ],
  [
    '7z symlink entry',
    { archive: 'symlink.7z', code: 'InvalidArgument', message: /links are not extracted/ },
  ],
  ['duplicate names', { archive: 'duplicate.zip', code: 'InvalidArgument', message: /appears twice/ }],
  [
    'a file and a folder of one name',
    { archive: 'clash.zip', code: 'InvalidArgument', message: /also a file/ },
  ],
  [
    'flat bomb (overlapping entries)',
    { archive: 'overlap.zip', code: 'InvalidArgument', message: /overlap/ },
  ],
  [
    'sizes that lie (stream checked, not the header)',
    { archive: 'lying.zip', code: 'InvalidArgument', message: /damaged/ },
  ],
  ['10 GB bomb', { archive: 'bomb-10g.zip', code: 'LimitExceededError', message: /times its own size/ }],
  [
    'expansion ratio',
    {
      archive: 'ratio.zip',
      code: 'LimitExceededError',
      message: /times its own size/,
      limits: { archiveMaxRatio: 100 },
      ratioGraceBytes: 1024 * 1024,
    },
  ],
  [
    'total expanded bytes',
    {
      archive: 'ratio.zip',
      code: 'LimitExceededError',
      message: /limit of expanded data/,
      limits: { archiveMaxTotalBytes: 1024 * 1024 },
    },
  ],
  [
    'entry count',
    {
      archive: 'many.zip',
      code: 'LimitExceededError',
      message: /50 entries/,
      limits: { archiveMaxEntries: 10 },
    },
  ],
  ['truncated zip', { archive: 'truncated.zip', code: 'InvalidArgument', message: /damaged or truncated/ }],
  ['CRC mismatch', { archive: 'crc.zip', code: 'InvalidArgument', message: /CRC-32/ }],
  ['CRC mismatch in a large entry', { archive: 'crc-large.zip', code: 'InvalidArgument', message: /CRC-32/ }],
  [
    'large entry holding more than it declares',
    { archive: 'lying-large.zip', code: 'InvalidArgument', message: /more data than its header declares/ },
  ],
  ['not an archive', { archive: 'notzip.zip', code: 'InvalidArgument', message: /damaged|not a zip/ }],
  ['truncated 7z', { archive: 'truncated.7z', code: 'InvalidArgument', message: /damaged|readable/ }],
  [
    '7z with garbage after its signature',
    { archive: 'garbage.7z', code: 'InvalidArgument', message: /damaged|readable/ },
  ],
  [
    'RAR 5 symbolic links (one to "../")',
    {
      archive: 'rar5-symlink-unix.rar',
      code: 'InvalidArgument',
      message: /"data_link" is refused: the entry is a link/,
    },
  ],
  [
    'RAR 5 hard links',
    {
      archive: 'rar5-hlink.rar',
      code: 'InvalidArgument',
      message: /"stest2.txt" is refused: the entry is a link/,
    },
  ],
  [
    'RAR 5 folder symlink to ".." with a file written through it',
    {
      archive: 'rar5-evil-symlink-traversal.rar',
      code: 'InvalidArgument',
      // refused before its link is reached: "up" is listed as a file that also holds "up/pwned.txt"
      message: /"up" is also a file in the archive/,
    },
  ],
  ['nested bomb (only the outer level is expanded)', { archive: 'nested.zip', code: null }],
];

describe('hostile archives', () => {
  it.each(cases)('%s', async (_label, c) => {
    const proc = makeFileUncompressionProcessor({
      ...defaultArchiveConfig,
      ratioGraceBytes: c.ratioGraceBytes ?? defaultArchiveConfig.ratioGraceBytes,
    });
    const target = `oss://out/${c.archive}/`;
    const before = await allObjects(ts);
    const ctx = makeRunContext(ts.scoped, { limits: tight(c.limits ?? {}) });
    const running = proc.run(params({ SourceURI: `oss://inbox/${c.archive}`, TargetURI: target }), ctx);
    if (c.code === null) {
      const outcome = await running;
      const files = outcome.details?.Files as Array<{ URI: string; Size: number }>;
      expect(files.map((f) => f.URI)).toEqual([0, 1, 2].map((i) => `${target}level1/inner${i}.zip`));
      for (const f of files) expect(f.Size).toBeLessThan(10_000);
    } else {
      const err = await failureOf(running);
      expect(err.code).toBe(c.code);
      if (c.message) expect(err.message).toMatch(c.message);
    }
    await ctx.cleanup();
    const added = (await allObjects(ts)).filter((u) => !before.includes(u));
    for (const uri of added) expect(uri.startsWith(target), uri).toBe(true);
    if (c.archive === 'crc.zip') expect(added).not.toContain(`${target}bad.txt`);
    if (c.archive === 'crc-large.zip') expect(added).not.toContain(`${target}bad.bin`);
    if (c.archive === 'lying-large.zip') expect(added).toEqual([]);
    expect(existsSync('/tmp/openimm-evil-absolute.txt')).toBe(false);
    expect(existsSync(path.resolve(ts.dataDir, 'evil.txt'))).toBe(false);
    expect(existsSync(path.resolve(ts.dataDir, 'oss', 'evil.txt'))).toBe(false);
    expect(existsSync(path.resolve(ts.dataDir, 'oss', 'out', 'evil.txt'))).toBe(false);
  });
});

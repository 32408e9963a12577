/**
 * The compiled bundle that `openimm` runs: built with its assets beside it, judged stale by modification
 * times, runnable with plain Node (no TypeScript loader), and holding the optional client libraries
 * out of start-up.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, bundleIsFresh } from '../../scripts/build-bundle.mjs';
import { REPO_ROOT } from '../helpers/server-process.ts';

const run = promisify(execFile);

describe('build-bundle', () => {
  let outDir: string;
  beforeAll(async () => {
    // Inside the repository, so the bundle's package imports resolve from its node_modules.
    outDir = await mkdtemp(path.join(REPO_ROOT, '.tmp-bundle-'));
    await buildBundle(outDir);
  }, 60_000);
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('writes the entry points and the files the code opens beside itself', async () => {
    const files = await readdir(outDir);
    expect(files).toEqual(
      expect.arrayContaining(['main.js', 'rar-worker.js', 'migrations', 'uno-bridge.py']),
    );
    expect((await readdir(path.join(outDir, 'migrations'))).sort()).toEqual(
      (await readdir(path.join(REPO_ROOT, 'src/db/migrations'))).sort(),
    );
    const office = path.join(REPO_ROOT, 'src/engines/office');
    const scripts = (await readdir(office)).filter((f) => f.endsWith('.py'));
    expect(scripts).toContain('uno-bridge.py');
    for (const script of scripts) {
      expect(await readFile(path.join(outDir, script), 'utf8')).toBe(
        await readFile(path.join(office, script), 'utf8'),
      );
    }
  });

  it('is fresh after a build and stale once a source file is newer than it', async () => {
    expect(await bundleIsFresh(outDir)).toBe(true);
    const past = new Date('2001-01-01T00:00:00Z');
    await utimes(path.join(outDir, 'main.js'), past, past);
    expect(await bundleIsFresh(outDir)).toBe(false);
    expect(await bundleIsFresh(path.join(outDir, 'missing'))).toBe(false);
  });

  it('loads the optional client libraries only on first use', async () => {
    // What a module loads at start-up: its static imports, followed through the bundle's own files.
    const staticImports = async (file: string, seen = new Set<string>()): Promise<Set<string>> => {
      const code = await readFile(file, 'utf8');
      for (const m of code.matchAll(/^import\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)) {
        const spec = (m[1] ?? m[2])!;
        if (!spec.startsWith('.')) seen.add(spec);
        else await staticImports(path.resolve(path.dirname(file), spec), seen);
      }
      return seen;
    };
    const atStart = await staticImports(path.join(outDir, 'main.js'));
    expect(atStart).toContain('fastify');
    const lazy = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'pdfkit', 'mqtt', 'nats', 'amqplib', 'sharp'];
    for (const pkg of lazy) expect(atStart).not.toContain(pkg);
    // ... and they are still in the bundle, behind a dynamic import or in a chunk loaded by one.
    const all = [await readFile(path.join(outDir, 'main.js'), 'utf8')];
    for (const chunk of await readdir(path.join(outDir, 'chunks')))
      if (chunk.endsWith('.js')) all.push(await readFile(path.join(outDir, 'chunks', chunk), 'utf8'));
    for (const pkg of lazy) expect(all.some((code) => code.includes(`"${pkg}"`))).toBe(true);
  });

  it('runs with plain Node, without tsx', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(path.join(outDir, 'main.js'))}).then((m) => m.main(['node', 'openimm', '--version']))`,
      ],
      { cwd: REPO_ROOT },
    );
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(stdout.trim()).toBe(pkg.version);
  });
});

/**
 * `openimm serve` as installed: the compiled bundle run by bin/openimm.js. Engines whose helpers live beside
 * the code (LibreOffice's UNO bridge script) must find them from the bundle too; RAR's worker thread is
 * covered by the archive acceptance test, which runs the same process.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleIsFresh } from '../../../scripts/build-bundle.mjs';
import { makeImmClient } from '../../helpers/imm-clients.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const KEYS = { accessKeyId: 'LTAIinstalledserver0001', accessKeySecret: 'installed-server-secret-0123456' };

describe('the installed server process', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-installed-'));
    await mkdir(path.join(dir, 'data/oss/docs'), { recursive: true });
    await writeFile(path.join(dir, 'data/oss/docs/note.txt'), 'A note converted by LibreOffice.\n');
    server = await startServerProcess({
      dataDir: path.join(dir, 'data'),
      env: {
        OPENIMM_ACCESS_KEY_ID: KEYS.accessKeyId,
        OPENIMM_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
        // bin/openimm.js sizes libuv's thread pool itself when the environment does not
        UV_THREADPOOL_SIZE: undefined,
      },
      timeoutMs: 60_000,
    });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs from a fresh compiled bundle', async () => {
    expect(await bundleIsFresh()).toBe(true);
  });

  it("runs libuv's thread pool with 16 threads", async () => {
    // The pool starts whole when first used (the server reads files at start): 16 threads, beside the main
    // thread and V8's. An ES module entry cannot size it any more (4 threads, 11 in all).
    const threads = (await readdir(`/proc/${server.child.pid}/task`)).length;
    expect(threads).toBeGreaterThanOrEqual(16 + 4);
  });

  it('converts a document with LibreOffice', async () => {
    const client = makeImmClient('acs3', server.endpoint, KEYS);
    await client.call('CreateProject', { ProjectName: 'installed' });
    const { TaskId } = await client.call('CreateOfficeConversionTask', {
      ProjectName: 'installed',
      SourceURI: 'oss://docs/note.txt',
      TargetType: 'pdf',
      TargetURI: 'oss://docs/out/note.pdf',
    });
    const done = await client.call('WaitTask', { ProjectName: 'installed', TaskId, Timeout: 60 });
    expect(done, JSON.stringify(done)).toMatchObject({ Status: 'Succeeded' });
    const pdf = await readFile(path.join(dir, 'data/oss/docs/out/note.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 90_000);
});

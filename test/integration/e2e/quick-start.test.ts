/**
 * The README's quick start, as a new user runs it: a fresh data folder, the keys the first start prints,
 * objects put with `openimm oss cp`, a project and a compression task through openapi-core, the zip checked
 * with `unzip -l`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImmClient } from '../../helpers/imm-clients.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

describe('quick start', () => {
  let dir: string;
  let dataDir: string;
  let server: ServerProcess;
  const env = { OPENIMM_ACCESS_KEY_ID: '', OPENIMM_ACCESS_KEY_SECRET: '' };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-e2e-'));
    dataDir = path.join(dir, 'data');
    server = await startServerProcess({ dataDir, env });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints keys on first start, and a real client compresses two objects put with the CLI', async () => {
    const out = server.output();
    const accessKeyId = /AccessKeyId:\s+(\S+)/.exec(out)?.[1];
    const accessKeySecret = /AccessKeySecret:\s+(\S+)/.exec(out)?.[1];
    expect(accessKeyId).toMatch(/^LTAI/);
    expect(accessKeySecret).toHaveLength(30);

    await writeFile(path.join(dir, 'report.txt'), 'quarterly report\n');
    await writeFile(path.join(dir, 'photo.jpg'), Buffer.alloc(4096, 7));
    for (const [file, uri] of [
      ['report.txt', 'oss://quickstart/in/report.txt'],
      ['photo.jpg', 'oss://quickstart/in/photo.jpg'],
    ]) {
      const r = await runCli(['--data-dir', dataDir, 'oss', 'cp', path.join(dir, file!), uri!]);
      expect(r.code, r.stderr).toBe(0);
    }

    const client = makeImmClient('acs3', server.endpoint, {
      accessKeyId: accessKeyId!,
      accessKeySecret: accessKeySecret!,
    });
    await client.call('CreateProject', { ProjectName: 'quickstart' });
    const { TaskId } = await client.call('CreateFileCompressionTask', {
      ProjectName: 'quickstart',
      TargetURI: 'oss://quickstart/out/bundle.zip',
      Sources: [
        { URI: 'oss://quickstart/in/report.txt', Alias: '/docs/report.txt' },
        { URI: 'oss://quickstart/in/photo.jpg', Alias: '/images/holiday.jpg' },
      ],
    });
    let task: Record<string, any> = {};
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      task = await client.call('GetTask', { ProjectName: 'quickstart', TaskId, TaskType: 'FileCompression' });
      if (task.Status !== 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(task).toMatchObject({ Status: 'Succeeded', Progress: 100 });

    const zipPath = path.join(dir, 'bundle.zip');
    const cp = await runCli(['--data-dir', dataDir, 'oss', 'cp', 'oss://quickstart/out/bundle.zip', zipPath]);
    expect(cp.code, cp.stderr).toBe(0);
    const listing = execFileSync('unzip', ['-l', zipPath], { encoding: 'utf8' });
    expect(listing).toContain('docs/report.txt');
    expect(listing).toContain('images/holiday.jpg');
  });

  it('keeps its account across restarts and prints the keys only once', async () => {
    expect(await server.stop()).toBe(0);
    server = await startServerProcess({ dataDir, env });
    expect(server.output()).not.toContain('AccessKeySecret:');
    const r = await fetch(`${server.url}/health`);
    expect(r.status).toBe(200);
  });
});

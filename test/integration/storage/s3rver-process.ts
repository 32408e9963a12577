/**
 * A real S3-compatible server (s3rver) in its own process on 127.0.0.1, with a temp data folder.
 * Used by the S3 tests and by the storage benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export const S3RVER_KEY = 'S3RVER';

export interface S3rverProcess {
  endpoint: string;
  dir: string;
  /** A client signed with s3rver's fixed key, checksums only when required. */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** `parentDir` holds the server's data folder (the system temp folder by default). */
export async function startS3rver(parentDir = os.tmpdir()): Promise<S3rverProcess> {
  const dir = await mkdtemp(path.join(parentDir, 'openimm-'));
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  // s3rver encrypts its continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  const args = [
    '--openssl-legacy-provider',
    bin,
    '-d',
    dir,
    '-a',
    '127.0.0.1',
    '-p',
    '0',
    '--no-vhost-buckets',
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await waitForPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const makeClient = () => {
    const c = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    clients.push(c);
    return c;
  };
  return {
    endpoint,
    dir,
    client: makeClient,
    async createBucket(name) {
      await makeClient().send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      for (const c of clients) c.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`s3rver did not start: ${out}${err}`)), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => fail(new Error(`s3rver exited with ${code}: ${err}`)));
    child.stdout?.on('data', (d) => {
      if (out === null) return;
      out += d;
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // Keep draining the request log so the pipe never fills and blocks the server.
        out = '';
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(Number(m[1]));
      }
    });
  });
}

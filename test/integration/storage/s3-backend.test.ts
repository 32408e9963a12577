import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BucketNotFoundError } from '../../../src/storage/backend.ts';
import { SizeMismatchError } from '../../../src/storage/errors.ts';
import { createS3Backend } from '../../../src/storage/s3/s3-backend.ts';
import { listKeys, readAll, runBackendContract } from '../../storage/backend-contract.ts';
import { type S3rverProcess, startS3rver } from './s3rver-process.ts';

let server: S3rverProcess;
beforeAll(async () => {
  server = await startS3rver();
});
afterAll(async () => server?.stop());

let n = 0;
runBackendContract('s3 (s3rver)', async () => {
  const remote = `contract-${++n}`;
  await server.createBucket(remote);
  // A small part size so the contract's multi-megabyte bodies take the multipart path.
  const backend = createS3Backend({
    client: server.client(),
    remoteBucket: remote,
    bucket: 'openimm-name',
    partSize: 5 * 1024 * 1024,
  });
  return {
    backend,
    cleanup: async () => {},
    quirks: { listOrderByFolders: true, rangeZeroZeroIsWhole: true },
  };
});

describe('s3 backend specifics', () => {
  it('lists past one page with continuation tokens', async () => {
    await server.createBucket('many');
    const b = createS3Backend({
      client: server.client(),
      remoteBucket: 'many',
      bucket: 'many',
      listPageSize: 7,
    });
    const keys = Array.from({ length: 40 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    await Promise.all(keys.map((k) => b.write(k, Buffer.from('x'))));
    await b.write('other', Buffer.from('x'));
    expect(await listKeys(b, 'k/')).toEqual(keys);
    expect(await listKeys(b, 'k/', 'k/00020')).toEqual(keys.slice(21));
  });

  it('answers BucketNotFoundError for a bucket missing on the server', async () => {
    const b = createS3Backend({ client: server.client(), remoteBucket: 'not-created', bucket: 'ghost' });
    await expect(b.read('x')).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(b.write('x', Buffer.from('x'))).rejects.toBeInstanceOf(BucketNotFoundError);
  });

  it('maps the openimm bucket name onto the real one', async () => {
    await server.createBucket('real-name');
    const b = createS3Backend({ client: server.client(), remoteBucket: 'real-name', bucket: 'alias' });
    await b.write('a.txt', Buffer.from('aliased'));
    const direct = createS3Backend({
      client: server.client(),
      remoteBucket: 'real-name',
      bucket: 'real-name',
    });
    expect((await readAll(await direct.read('a.txt'))).toString()).toBe('aliased');
    await expect(b.read('missing')).rejects.toThrow('oss://alias/missing');
  });
});

describe('s3 backend: whole local files', () => {
  const MIB = 1024 * 1024;
  let dir: string;
  let big: Buffer;
  let bigFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-s3file-'));
    big = randomBytes(12 * MIB + 12345);
    bigFile = path.join(dir, 'big.bin');
    await writeFile(bigFile, big);
    await server.createBucket('files');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A backend whose client records every command it sends (name and input). */
  const recorded = (onCommand?: (name: string) => void, queueSize = 3) => {
    const client = server.client();
    const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: context.commandName as string, input: args.input as Record<string, unknown> });
        onCommand?.(context.commandName as string);
        return next(args);
      },
      { step: 'initialize' },
    );
    const b = createS3Backend({
      client,
      remoteBucket: 'files',
      bucket: 'files',
      partSize: 5 * MIB,
      queueSize,
    });
    return { b, sent, names: () => sent.map((c) => c.name) };
  };
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

  it('uploads a file stream part by part from the file, each part checked by its MD5', async () => {
    const { b, sent, names } = recorded();
    const info = await b.write('big.bin', createReadStream(bigFile), { size: big.length });
    expect(info.size).toBe(big.length);
    expect(names()).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const part1 = sent.find((c) => c.input.PartNumber === 1)!.input;
    expect(part1.ContentMD5).toBe(
      createHash('md5')
        .update(big.subarray(0, 5 * MIB))
        .digest('base64'),
    );
    expect(md5(await readAll(await b.read('big.bin')))).toBe(md5(big));

    const small = path.join(dir, 'small.txt');
    await writeFile(small, 'one part');
    await b.write('small.txt', createReadStream(small));
    expect(names().at(-1)).toBe('PutObjectCommand');
    expect((await readAll(await b.read('small.txt'))).toString()).toBe('one part');
  });

  it('reads several parts in turn from one open file', async () => {
    const { b, names } = recorded(undefined, 1);
    await b.write('serial.bin', createReadStream(bigFile));
    expect(names().filter((n) => n === 'UploadPartCommand')).toHaveLength(3);
    expect(md5(await readAll(await b.read('serial.bin')))).toBe(md5(big));
  });

  it('refuses a file whose size is not the announced one, writing nothing', async () => {
    const { b, names } = recorded();
    await expect(b.write('wrong.bin', createReadStream(bigFile), { size: 100 })).rejects.toBeInstanceOf(
      SizeMismatchError,
    );
    expect(names()).toEqual([]);
    expect(await b.head('wrong.bin')).toBeNull();
  });

  it('aborts the multipart upload when the write is aborted mid-way, leaving no object', async () => {
    const late = new AbortController();
    const { b, names } = recorded((name) => {
      if (name === 'UploadPartCommand') late.abort(new Error('cancelled'));
    });
    await expect(b.write('late.bin', createReadStream(bigFile), { signal: late.signal })).rejects.toThrow(
      'cancelled',
    );
    expect(names()).toContain('AbortMultipartUploadCommand');
    expect(names()).not.toContain('CompleteMultipartUploadCommand');
    expect(await b.head('late.bin')).toBeNull();
  });

  it('keeps the generic path for a byte range of a file', async () => {
    const { b, names } = recorded();
    await b.write('ranged.bin', createReadStream(bigFile, { start: 10, end: 6 * MIB }));
    expect(md5(await readAll(await b.read('ranged.bin')))).toBe(md5(big.subarray(10, 6 * MIB + 1)));
    expect(names()).toContain('UploadPartCommand');
  });
});

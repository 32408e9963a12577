import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BucketNotFoundError } from '../../../src/storage/backend.ts';
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

import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarlyWriteBack } from '../../../src/storage/fs/write-back.ts';

describe('early write-back of large objects', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-wb-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('flushes every N bytes, one flush at a time, and settle waits for the running one', async () => {
    const fh = await open(path.join(dir, 'f'), 'w');
    let started = 0;
    let running = 0;
    let maxRunning = 0;
    const datasync = fh.datasync.bind(fh);
    fh.datasync = async () => {
      started++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 20));
      await datasync();
      running--;
    };
    const wb = new EarlyWriteBack(fh, 10);
    await fh.write(Buffer.alloc(6));
    wb.wrote(6);
    expect(started).toBe(0); // below the threshold
    await fh.write(Buffer.alloc(6));
    wb.wrote(6);
    expect(started).toBe(1);
    await fh.write(Buffer.alloc(20));
    wb.wrote(20); // a flush is running: none is started beside it
    expect(started).toBe(1);
    await wb.settle();
    expect(running).toBe(0);
    expect(maxRunning).toBe(1);
    await fh.close();
    expect((await readFile(path.join(dir, 'f'))).length).toBe(32);
  });

  it('a failed flush fails settle, and idle does not throw', async () => {
    const fh = await open(path.join(dir, 'g'), 'w');
    fh.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    const wb = new EarlyWriteBack(fh, 1);
    wb.wrote(5);
    await expect(wb.idle()).resolves.toBeUndefined();
    await expect(wb.settle()).rejects.toThrow('EIO');
    await fh.close();
  });
});

import { describe, expect, it } from 'vitest';
import { detectArchiveEngines, detectSevenZip } from '../../../src/engines/archive/detect.ts';

describe('archive engine detection', () => {
  it('finds zlib, 7zz and the unRAR WebAssembly build on this machine', async () => {
    const [zip, sevenZip, rar] = await detectArchiveEngines();
    expect(zip).toMatchObject({ available: true, version: process.versions.zlib });
    expect(sevenZip!.available).toBe(true);
    expect(sevenZip!.version).toMatch(/^\d+\.\d+$/);
    expect(rar).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\./) });
  });
  it('reports a missing 7-Zip with the command that installs it', async () => {
    expect(await detectSevenZip('/nonexistent/7zz')).toEqual({
      name: '7-Zip',
      available: false,
      installHint: 'apt-get install -y --no-install-recommends 7zip',
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../../src/engines/image/errors.ts';
import { probeImage } from '../../../src/engines/image/probe.ts';
import { readImageBytes } from '../../../src/engines/image/read-bytes.ts';
import * as f from './fixtures.ts';

let server: http.Server;
let base = '';
let requests = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    requests++;
    res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function probeSvg(text: string) {
  const bytes = await readImageBytes(Readable.from([Buffer.from(text)]), {
    label: 'a.svg',
    maxBytes: 1e6,
    maxSvgBytes: 1e6,
  });
  return probeImage(bytes, { label: 'a.svg', maxPixels: 1e8 });
}

const wrap = (inner: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">${inner}</svg>`;

describe('SVG external references', () => {
  it('refuses every form of external reference, and never fetches it', async () => {
    const hostile = [
      wrap(`<image href="${base}/a.png" width="10" height="10"/>`),
      wrap(`<image xlink:href="${base}/b.png" width="10" height="10"/>`),
      wrap(`<use href="file:///etc/passwd#x"/>`),
      wrap(`<rect width="5" height="5" style="fill:url(${base}/c.svg#g)"/>`),
      wrap(`<style>@import url("${base}/d.css");</style>`),
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${wrap('<text>&x;</text>')}`,
      wrap(`<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${base}/e.xml"/>`),
    ];
    for (const svg of hostile) {
      const err = await probeSvg(svg).then(
        () => null,
        (e) => e,
      );
      expect(err, svg).toBeInstanceOf(ImageError);
      expect((err as ImageError).kind, svg).toBe('external-reference');
    }
    expect(requests).toBe(0);
  });

  it('allows same-document and data: references, and a DOCTYPE without entities', async () => {
    const tiny = (await f.jpeg(4, 4)).toString('base64');
    const ok = [
      wrap('<defs><linearGradient id="g"/></defs><rect width="5" height="5" fill="url(#g)"/>'),
      wrap(`<image href="data:image/jpeg;base64,${tiny}" width="4" height="4"/>`),
      `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${wrap('')}`,
    ];
    for (const svg of ok)
      await expect(probeSvg(svg), svg).resolves.toMatchObject({ format: 'svg', width: 20 });
  });

  it('applies the pixel limit to embedded images', async () => {
    const bomb = (await f.pngBomb()).toString('base64');
    const err = await probeSvg(
      wrap(`<image href="data:image/png;base64,${bomb}" width="4" height="4"/>`),
    ).then(
      () => null,
      (e) => e,
    );
    expect((err as ImageError).kind).toBe('limit');
  });
});

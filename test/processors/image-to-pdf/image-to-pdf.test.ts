import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageToPdfProcessor } from '../../../src/processors/image-to-pdf/index.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import * as f from '../../engines/image/fixtures.ts';
import { makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';
import { embeddedJpegs, pdfImageList, pdfPages, renderedColors } from './pdf-inspect.ts';

let storage: TestStorage;
let work: { dir: string; cleanup(): Promise<void> };
const B = 'oss://imgs';

beforeAll(async () => {
  storage = await makeTestStorage();
  work = await f.tempDir();
});
afterAll(async () => {
  await storage.cleanup();
  await work.cleanup();
});

async function runTask(sources: Array<{ URI: string; Rotate?: number }>, target: string) {
  const params = parseParams(imageToPdfProcessor.params, {
    Sources: JSON.stringify(sources),
    TargetURI: target,
  });
  const ctx = makeRunContext(storage.scoped, { taskType: 'ImageToPDF' });
  try {
    const outcome = await imageToPdfProcessor.run(params, ctx);
    return { outcome, progress: ctx.progressValues };
  } finally {
    await ctx.cleanup();
  }
}

async function savedPdf(uri: string): Promise<string> {
  const file = path.join(work.dir, `${uri.split('/').pop()}`);
  await writeFile(file, await storage.get(uri));
  return file;
}

async function failureOf(p: Promise<unknown>): Promise<TaskError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(TaskError);
  return err as TaskError;
}

describe('ImageToPDF', () => {
  it('makes one page per image, in order, sized to the image, for every input format', async () => {
    const inputs: Array<[string, Buffer, number, [number, number], number]> = [
      // name, bytes, Rotate, expected page size (pts), expected /Rotate
      ['a.jpg', await f.jpeg(300, 200, { orientation: 6 }), 0, [300, 200], 90],
      ['b.png', await f.alphaPng(120, 80), 90, [120, 80], 90],
      ['c.png', await f.png16(60, 40), 0, [60, 40], 0],
      ['d.tif', await f.tiff(64, 32), 180, [64, 32], 180],
      ['e.webp', await f.webp(50, 70), 0, [50, 70], 0],
      ['f.svg', f.svg(100, 50), 0, [100, 50], 0],
      ['g.bmp', f.bmp(40, 30), 270, [40, 30], 270],
      ['h.jp2', await f.jp2(44, 22), 0, [44, 22], 0],
      ['i.gif', await f.animated('gif', 20, 10), 0, [20, 10], 0],
      ['j.jpg', await f.cmykJpeg(32, 16), 0, [32, 16], 0],
      ['k.jpg', await f.jpeg(1, 1), 90, [1, 1], 90],
      ['l.jpg', await f.jpeg(300, 200, { orientation: 8 }), 180, [300, 200], 90],
      ['m.avif', await f.avif(48, 24), 0, [48, 24], 0],
    ];
    for (const [name, bytes] of inputs) await storage.put(`${B}/mixed/${name}`, bytes);
    const sources = inputs.map(([name, , Rotate]) => ({ URI: `${B}/mixed/${name}`, Rotate }));
    const { outcome, progress } = await runTask(sources, `${B}/out/mixed.pdf`);

    expect(outcome.content).toEqual({ Sources: sources, TargetURI: `${B}/out/mixed.pdf` });
    expect(progress.at(-1)).toBe(99);
    const pages = await pdfPages(await savedPdf(`${B}/out/mixed.pdf`));
    expect(pages.map((p) => [p.width, p.height])).toEqual(inputs.map((i) => i[3]));
    expect(pages.map((p) => p.rot)).toEqual(inputs.map((i) => i[4]));
  });

  it('embeds JPEG bytes unchanged and converts the rest once, alpha as a soft mask', async () => {
    const jpegs = [await f.jpeg(200, 100, { orientation: 3 }), await f.jpeg(64, 64, { progressive: true })];
    await storage.put(`${B}/emb/1.jpg`, jpegs[0]!);
    await storage.put(`${B}/emb/2.png`, await f.alphaPng(30, 20));
    await storage.put(`${B}/emb/3.jpg`, jpegs[1]!);
    await storage.put(`${B}/emb/4.jpg`, await f.cmykJpeg(16, 16));
    const sources = ['1.jpg', '2.png', '3.jpg', '4.jpg'].map((n) => ({ URI: `${B}/emb/${n}` }));
    await runTask(sources, `${B}/out/emb.pdf`);
    const file = await savedPdf(`${B}/out/emb.pdf`);

    const list = await pdfImageList(file);
    expect(list.map((i) => [i.page, i.type, i.enc])).toEqual([
      [1, 'image', 'jpeg'],
      [2, 'image', 'image'],
      [2, 'smask', 'image'],
      [3, 'image', 'jpeg'],
      [4, 'image', 'jpeg'],
    ]);
    expect(list[4]!.color).toBe('cmyk');
    const extracted = await embeddedJpegs(file);
    expect(extracted[0]!.equals(jpegs[0]!)).toBe(true);
    expect(extracted[1]!.equals(jpegs[1]!)).toBe(true);
  });

  it('shows every EXIF orientation and Rotate the right way up, without touching the pixels', async () => {
    // Stored left red / right blue; orientation 6 turns it so red is on top, 2 mirrors it.
    await storage.put(`${B}/o/6.jpg`, await f.jpeg(80, 40, { orientation: 6 }));
    await storage.put(`${B}/o/2.jpg`, await f.jpeg(80, 40, { orientation: 2 }));
    await storage.put(`${B}/o/5.jpg`, await f.jpeg(80, 40, { orientation: 5 }));
    await storage.put(`${B}/o/r.png`, await f.alphaPng(80, 40));
    await runTask(
      [
        { URI: `${B}/o/6.jpg` },
        { URI: `${B}/o/2.jpg` },
        { URI: `${B}/o/5.jpg` },
        { URI: `${B}/o/r.png`, Rotate: 180 },
      ],
      `${B}/out/o.pdf`,
    );
    const file = await savedPdf(`${B}/out/o.pdf`);
    const top = await renderedColors(file, 1, [
      [0.5, 0.1],
      [0.5, 0.9],
    ]);
    expect(top.height).toBeGreaterThan(top.width);
    expect(f.near(top.colors[0]!, f.RED) && f.near(top.colors[1]!, f.BLUE)).toBe(true);
    const mirrored = await renderedColors(file, 2, [
      [0.1, 0.5],
      [0.9, 0.5],
    ]);
    expect(f.near(mirrored.colors[0]!, f.BLUE) && f.near(mirrored.colors[1]!, f.RED)).toBe(true);
    // 5 = transpose: the left (red) column becomes the top row.
    const transposed = await renderedColors(file, 3, [
      [0.5, 0.1],
      [0.5, 0.9],
    ]);
    expect(f.near(transposed.colors[0]!, f.RED) && f.near(transposed.colors[1]!, f.BLUE)).toBe(true);
    // PNG turned 180°: the opaque red half is now on the right, the transparent half shows white paper.
    const turned = await renderedColors(file, 4, [
      [0.1, 0.5],
      [0.9, 0.5],
    ]);
    expect(f.near(turned.colors[0]!, [255, 255, 255]) && f.near(turned.colors[1]!, f.RED)).toBe(true);
  });

  it('uses the first frame of an animation', async () => {
    await storage.put(`${B}/anim/a.webp`, await f.animated('webp', 40, 20));
    await runTask([{ URI: `${B}/anim/a.webp` }], `${B}/out/anim.pdf`);
    const file = await savedPdf(`${B}/out/anim.pdf`);
    expect(await pdfPages(file)).toHaveLength(1);
    const { colors } = await renderedColors(file, 1, [[0.5, 0.5]]);
    expect(f.near(colors[0]!, f.RED)).toBe(true);
  });

  it('fails fast with clear Codes on hostile input and writes nothing', async () => {
    const good = `${B}/bad/good.jpg`;
    await storage.put(good, await f.jpeg(64, 64));
    await storage.put(`${B}/bad/bomb.png`, await f.pngBomb());
    await storage.put(`${B}/bad/cut.jpg`, f.truncate(await f.jpeg(400, 300), 0.6));
    await storage.put(`${B}/bad/zip.jpg`, Buffer.from('PK\x03\x04 definitely not an image'));
    await storage.put(
      `${B}/bad/ext.svg`,
      f.svg(10, 10, '<image href="http://127.0.0.1:9/x.png" width="5" height="5"/>'),
    );
    const cases: Array<[string, string, RegExp]> = [
      ['bomb.png', 'LimitExceededError', /20000x20000/],
      ['cut.jpg', 'InvalidArgument', /truncated/],
      ['zip.jpg', 'InvalidArgument', /not an image/],
      ['ext.svg', 'InvalidArgument', /external resource/],
      ['missing.jpg', 'InvalidArgument', /^File does not exist\. oss:\/\/imgs\/bad\/missing\.jpg$/],
    ];
    for (const [name, code, message] of cases) {
      const target = `${B}/out/bad-${name}.pdf`;
      const started = performance.now();
      const err = await failureOf(
        runTask([{ URI: good }, { URI: `${B}/bad/${name}` }, { URI: good }], target),
      );
      expect(performance.now() - started, name).toBeLessThan(1000);
      expect([err.code, err.message], name).toEqual([code, expect.stringMatching(message)]);
      expect(await storage.exists(target), name).toBe(false);
    }
  });

  it('stops at once when aborted and leaves no object', async () => {
    await storage.put(`${B}/ab/1.png`, await f.png16(400, 400));
    const params = parseParams(imageToPdfProcessor.params, {
      Sources: JSON.stringify(Array.from({ length: 40 }, () => ({ URI: `${B}/ab/1.png` }))),
      TargetURI: `${B}/out/aborted.pdf`,
    });
    const ctx = makeRunContext(storage.scoped, { taskType: 'ImageToPDF' });
    const running = imageToPdfProcessor.run(params, ctx);
    setTimeout(() => ctx.abort(), 30);
    await expect(running).rejects.toThrow();
    expect(await storage.exists(`${B}/out/aborted.pdf`)).toBe(false);
    expect(ctx.progressValues.at(-1) ?? 0).toBeLessThan(99);
    await ctx.cleanup();
  });

  it('renders a TargetURI template from the first source', async () => {
    await storage.put(`${B}/tpl/scan.jpg`, await f.jpeg(20, 20));
    const params = parseParams(imageToPdfProcessor.params, {
      Sources: [{ URI: `${B}/tpl/scan.jpg` }],
      TargetURI: 'oss://{bucket}/pdf/{barename}-{tags.batch}.pdf',
    });
    const ctx = makeRunContext(storage.scoped, { taskType: 'ImageToPDF', tags: { batch: 'b7' } });
    const outcome = await imageToPdfProcessor.run(params, ctx);
    await ctx.cleanup();
    expect(outcome.content?.TargetURI).toBe(`${B}/pdf/scan-b7.pdf`);
    expect(await storage.exists(`${B}/pdf/scan-b7.pdf`)).toBe(true);
  });
});

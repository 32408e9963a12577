/**
 * A PDF of image pages, written as it is built: each image object goes to the output as soon as
 * its page is added, so memory follows the largest image, not the document. pdfkit pushes into its
 * Readable side without regard for back-pressure; `waitForRoom` makes the producer wait while the
 * consumer (the object store) is behind.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Placement } from './orientation.ts';

/** A JPEG embedded as it is (DCTDecode). */
export interface DctImage {
  kind: 'dct';
  width: number;
  height: number;
  components: number;
  /** CMYK stored inverted, as Adobe applications write it. */
  invertCmyk: boolean;
  data: Buffer;
  icc?: Buffer;
}

/** Pixels as a zlib stream with PNG row filters (FlateDecode, Predictor 15), optional alpha mask. */
export interface FlateImage {
  kind: 'flate';
  width: number;
  height: number;
  components: 1 | 3;
  bitDepth: number;
  data: Buffer;
  alpha?: { data: Buffer; bitDepth: number };
}

export type PdfImage = DctImage | FlateImage;

export interface PdfPage {
  image: PdfImage;
  placement: Placement;
  /** Page points per image pixel (1 = 72 dpi; SVGs rendered at a higher density use less). */
  scale: number;
}

/** PDF viewers limit a page edge to 14,400 units; bigger pages use UserUnit (PDF 1.6). */
const MAX_PAGE_UNITS = 14_400;
/** How much of the document may wait in memory for the consumer. */
const HIGH_WATER = 4 * 1024 * 1024;

const DEVICE: Record<number, string> = { 1: 'DeviceGray', 3: 'DeviceRGB', 4: 'DeviceCMYK' };

function num(n: number): string {
  return String(Math.round(n * 10_000) / 10_000);
}

export class PdfImageWriter {
  private readonly doc: PDFKit.PDFDocument;
  private readonly out: PassThrough;
  private failure: Error | null = null;
  private pages = 0;

  /**
   * pdfkit is loaded here, on first use: with its font metrics it is the largest library the server would
   * otherwise hold from start-up (~15 MiB of RSS) for one task type.
   */
  static async create(opts: { title?: string } = {}): Promise<PdfImageWriter> {
    const { default: PDFDocument } = await import('pdfkit');
    return new PdfImageWriter(PDFDocument, opts);
  }

  private constructor(PDFDocument: typeof import('pdfkit'), opts: { title?: string }) {
    this.doc = new PDFDocument({
      autoFirstPage: false,
      pdfVersion: '1.7',
      info: { Producer: 'openimm', Creator: 'openimm', ...(opts.title ? { Title: opts.title } : {}) },
    });
    this.out = new PassThrough({ highWaterMark: 1024 * 1024 });
    this.out.on('error', (err) => {
      this.failure ??= err;
    });
    this.out.on('close', () => {
      if (!this.out.writableFinished) this.failure ??= new Error('the PDF output was closed');
    });
    this.doc.pipe(this.out);
  }

  /** The PDF bytes, for the object store to consume. */
  get stream(): Readable {
    return this.out;
  }

  get pageCount(): number {
    return this.pages;
  }

  addPage(page: PdfPage): void {
    if (this.failure) throw this.failure;
    const { image, placement, scale } = page;
    const name = `Im${++this.pages}`;
    const xobject = this.writeImage(image);
    const width = image.width * scale;
    const height = image.height * scale;
    const userUnit = Math.max(1, Math.ceil(Math.max(width, height) / MAX_PAGE_UNITS));
    const w = width / userUnit;
    const h = height / userUnit;
    this.doc.addPage({ size: [w, h], margin: 0, userUnit } as PDFKit.PDFDocumentOptions);
    const pdfPage = (this.doc as any).page;
    if (placement.rotate) pdfPage.dictionary.data.Rotate = placement.rotate;
    pdfPage.xobjects[name] = xobject;
    // pdfkit flips the y axis at page start; this matrix maps the image's unit square onto the page,
    // mirrored left-right when the EXIF orientation asks for it.
    const a = placement.flip ? -w : w;
    const e = placement.flip ? w : 0;
    this.doc.addContent(`q ${num(a)} 0 0 ${num(-h)} ${num(e)} ${num(h)} cm /${name} Do Q`);
  }

  private writeImage(image: PdfImage): unknown {
    const doc = this.doc as any;
    const base = { Type: 'XObject', Subtype: 'Image', Width: image.width, Height: image.height };
    if (image.kind === 'dct') {
      const data: Record<string, unknown> = {
        ...base,
        BitsPerComponent: 8,
        ColorSpace: this.colorSpace(image.components, image.icc),
        Filter: 'DCTDecode',
      };
      if (image.components === 4 && image.invertCmyk) data.Decode = [1, 0, 1, 0, 1, 0, 1, 0];
      const ref = doc.ref(data);
      ref.end(image.data);
      return ref;
    }
    const flate = (colors: number, bitDepth: number) => ({
      Filter: 'FlateDecode',
      BitsPerComponent: bitDepth,
      DecodeParms: { Predictor: 15, Colors: colors, BitsPerComponent: bitDepth, Columns: image.width },
    });
    const data: Record<string, unknown> = {
      ...base,
      ...flate(image.components, image.bitDepth),
      ColorSpace: DEVICE[image.components],
    };
    if (image.alpha) {
      const mask = doc.ref({ ...base, ...flate(1, image.alpha.bitDepth), ColorSpace: 'DeviceGray' });
      mask.end(image.alpha.data);
      data.SMask = mask;
    }
    const ref = doc.ref(data);
    ref.end(image.data);
    return ref;
  }

  /** An embedded ICC profile keeps the JPEG's colours exact; without one, the device space. */
  private colorSpace(components: number, icc?: Buffer): unknown {
    const device = DEVICE[components] ?? 'DeviceRGB';
    if (!icc) return device;
    const ref = (this.doc as any).ref({ N: components, Alternate: device });
    ref.end(icc);
    return ['ICCBased', ref];
  }

  /** Resolves when the buffered output is below the high-water mark; rejects if the output failed. */
  async waitForRoom(signal?: AbortSignal): Promise<void> {
    while (this.doc.readableLength + this.out.writableLength > HIGH_WATER) {
      if (this.failure) throw this.failure;
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          signal?.removeEventListener('abort', done);
          clearTimeout(timer);
          resolve();
        };
        this.out.once('drain', done);
        this.out.once('close', done);
        signal?.addEventListener('abort', done, { once: true });
        // pipe() moves buffered data on the next tick after a drain; re-check soon either way.
        const timer = setTimeout(done, this.out.writableNeedDrain ? 1000 : 1);
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Finishes the document; the stream ends once the trailer is out. */
  end(): void {
    if (this.failure) throw this.failure;
    this.doc.end();
  }

  /** Stops writing: the consumer sees an error, so no partial PDF becomes visible. */
  abort(err: Error): void {
    this.failure ??= err;
    this.doc.unpipe(this.out);
    this.out.destroy(err);
    this.doc.destroy();
  }
}

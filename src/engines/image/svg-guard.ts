/**
 * SVG is a document, not pixels: it can name other files, URLs and XML entities. The renderer must
 * never fetch anything, so an SVG that references anything outside itself is refused before it is
 * rendered; only same-document (`#id`) and `data:` references pass. Embedded `data:` images get
 * the same pixel limit as any other input.
 */
import type { Metadata } from 'sharp';
import { ImageError } from './errors.ts';
import { loadSharp } from './sharp-setup.ts';

/** Attribute values that may point elsewhere. */
const REF_ATTR = /\b(?:xlink:href|href|src)\s*=\s*(["'])(.*?)\1/gis;
/** CSS `url(...)` in attributes or style sheets. */
const CSS_URL = /url\(\s*(["']?)(.*?)\1\s*\)/gis;
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+;base64,/i;

function isLocal(ref: string): boolean {
  const v = ref.trim();
  return v === '' || v.startsWith('#') || /^data:/i.test(v);
}

export async function checkSvg(data: Buffer, label: string, maxPixels: number): Promise<void> {
  const text = data.toString('utf8');
  const refuse = (what: string) =>
    new ImageError('external-reference', `The SVG image ${label} references ${what}, which is not allowed.`);
  if (/<!ENTITY/i.test(text)) throw refuse('XML entities');
  if (/<xi:include|XInclude/i.test(text)) throw refuse('another document (XInclude)');
  if (/@import/i.test(text)) throw refuse('an external style sheet');
  if (/<\?xml-stylesheet/i.test(text)) throw refuse('an external style sheet');
  const embedded: string[] = [];
  for (const re of [REF_ATTR, CSS_URL]) {
    for (const m of text.matchAll(re)) {
      const ref = m[2] ?? '';
      if (!isLocal(ref)) throw refuse('an external resource');
      if (DATA_IMAGE.test(ref.trim())) embedded.push(ref.trim());
    }
  }
  for (const uri of embedded) await checkEmbeddedImage(uri, label, maxPixels);
}

async function checkEmbeddedImage(uri: string, label: string, maxPixels: number): Promise<void> {
  const bytes = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new ImageError('corrupt', `The SVG image ${label} embeds an unreadable image.`, { cause: err });
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > maxPixels) {
    throw new ImageError(
      'limit',
      `The SVG image ${label} embeds an image with more than ${maxPixels} pixels.`,
    );
  }
}

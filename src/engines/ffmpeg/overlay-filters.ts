/**
 * Watermarks (text and image) and delogo boxes, applied in order onto a video label. Positions and sizes
 * arrive resolved to pixels; the corner decides which edges the offsets count from. Pure.
 */
import { type FilterGraph, filter, num, quoteOption } from './filter-graph.ts';

export type Corner = 'topleft' | 'topright' | 'bottomright' | 'bottomleft';

interface Timed {
  /** Seconds from the output's start; absent = from the start. */
  start?: number;
  /** Seconds shown; absent = to the end. */
  duration?: number;
}

export interface TextOverlay extends Timed {
  kind: 'text';
  /** A file holding the text (drawtext reads it verbatim: no escaping of user text needed). */
  textFile: string;
  /** fontconfig pattern, e.g. `Noto Sans CJK SC:style=Regular`. */
  font: string;
  fontSize: number;
  /** `#RRGGBB` or a colour name. */
  fontColor: string;
  alpha: number;
  borderColor?: string;
  borderWidth?: number;
  corner: Corner;
  dx: number;
  dy: number;
}

export interface ImageOverlay extends Timed {
  kind: 'image';
  /** Input stream specifier of the watermark picture/clip, e.g. `3:0`. */
  input: string;
  /** Pixels; one side absent keeps the picture's aspect ratio; both absent keep its size. */
  width?: number;
  height?: number;
  corner: Corner;
  dx: number;
  dy: number;
}

export interface DelogoBox extends Timed {
  kind: 'delogo';
  /** A rectangle inside the frame, in pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Overlay = TextOverlay | ImageOverlay | DelogoBox;

export function enableExpr(t: Timed): string | undefined {
  const start = t.start ?? 0;
  if (t.duration !== undefined && t.duration > 0)
    return quoteOption(`between(t,${num(start)},${num(start + t.duration)})`);
  if (start > 0) return quoteOption(`gte(t,${num(start)})`);
  return undefined;
}

/** x/y expressions for a corner; `ow`/`oh` name the overlaid thing's size variables in the filter. */
function position(corner: Corner, dx: number, dy: number, frame: [string, string], item: [string, string]) {
  const right = corner === 'topright' || corner === 'bottomright';
  const bottom = corner === 'bottomleft' || corner === 'bottomright';
  return {
    x: right ? `${frame[0]}-${item[0]}-${num(dx)}` : num(dx),
    y: bottom ? `${frame[1]}-${item[1]}-${num(dy)}` : num(dy),
  };
}

export function drawtextFilter(t: TextOverlay): string {
  const { x, y } = position(t.corner, t.dx, t.dy, ['w', 'h'], ['text_w', 'text_h']);
  return filter('drawtext', {
    textfile: quoteOption(t.textFile),
    expansion: 'none',
    font: quoteOption(t.font),
    fontsize: t.fontSize,
    fontcolor: quoteOption(`${t.fontColor}@${num(t.alpha)}`),
    bordercolor: t.borderWidth ? quoteOption(t.borderColor ?? 'black') : undefined,
    borderw: t.borderWidth || undefined,
    x: quoteOption(x),
    y: quoteOption(y),
    enable: enableExpr(t),
  });
}

/** Adds the overlays onto `input` in order; returns the label of the result. */
export function applyOverlays(graph: FilterGraph, input: string, overlays: Overlay[]): string {
  let current = input;
  let texts: string[] = [];
  const flushTexts = () => {
    current = graph.pipe(current, texts, 'wt');
    texts = [];
  };
  for (const o of overlays) {
    if (o.kind === 'text') {
      texts.push(drawtextFilter(o));
      continue;
    }
    flushTexts();
    current = o.kind === 'image' ? overlayImage(graph, current, o) : pixelate(graph, current, o);
  }
  flushTexts();
  return current;
}

function overlayImage(graph: FilterGraph, input: string, o: ImageOverlay): string {
  let mark = o.input;
  if (o.width || o.height) {
    mark = graph.pipe(mark, [filter('scale', { w: o.width ?? -1, h: o.height ?? -1 })], 'wm');
  }
  const { x, y } = position(o.corner, o.dx, o.dy, ['W', 'H'], ['w', 'h']);
  const out = graph.label('wi');
  graph.chain(
    [input, mark],
    [filter('overlay', { x: quoteOption(x), y: quoteOption(y), enable: enableExpr(o), format: 'auto' })],
    [out],
  );
  return out;
}

/** A mosaic over the box: the area is shrunk and blown back up with nearest-neighbour scaling. */
function pixelate(graph: FilterGraph, input: string, o: DelogoBox): string {
  const [base, area] = graph.split(input, 2, 'v') as [string, string];
  const block = Math.max(4, Math.round(Math.min(o.width, o.height) / 8));
  const mosaic = graph.pipe(
    area,
    [
      filter('crop', { w: o.width, h: o.height, x: o.x, y: o.y }),
      filter('scale', {
        w: Math.max(1, Math.ceil(o.width / block)),
        h: Math.max(1, Math.ceil(o.height / block)),
      }),
      filter('scale', { w: o.width, h: o.height, flags: 'neighbor' }),
    ],
    'dl',
  );
  const out = graph.label('do');
  graph.chain([base, mosaic], [filter('overlay', { x: o.x, y: o.y, enable: enableExpr(o) })], [out]);
  return out;
}

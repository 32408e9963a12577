/**
 * ImageSplicing's `BackgroundColor`: `#RRGGBB` (also `#RGB`, `#RRGGBBAA`, or the hex digits without
 * `#`), or a keyword. `alpha` / `transparent` mean a fully transparent background where the output
 * format has an alpha channel (PNG, WebP) and white where it has none (JPEG).
 */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0 (transparent) to 1 (opaque). */
  alpha: number;
}

const NAMED: Record<string, string> = {
  white: 'ffffff',
  black: '000000',
  red: 'ff0000',
  green: '008000',
  lime: '00ff00',
  blue: '0000ff',
  yellow: 'ffff00',
  cyan: '00ffff',
  aqua: '00ffff',
  magenta: 'ff00ff',
  fuchsia: 'ff00ff',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  maroon: '800000',
  olive: '808000',
  navy: '000080',
  purple: '800080',
  teal: '008080',
  orange: 'ffa500',
  pink: 'ffc0cb',
  brown: 'a52a2a',
};

export const COLOR_KEYWORDS = [...Object.keys(NAMED), 'alpha', 'transparent'];

export const WHITE: Rgba = { r: 255, g: 255, b: 255, alpha: 1 };

/** Parses a colour; null when the value is not one. */
export function parseColor(value: string): Rgba | null {
  const v = value.trim().toLowerCase();
  if (v === 'alpha' || v === 'transparent') return { r: 0, g: 0, b: 0, alpha: 0 };
  const named = NAMED[v];
  const hex = named ?? v.replace(/^#/, '');
  if (!/^(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(hex)) return null;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const byte = (i: number) => Number.parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: full.length === 8 ? byte(6) / 255 : 1 };
}

/**
 * Reads a `SourceManifestURI` object without loading it whole: a JSON array of rules
 * (`[{"URI":…,"Alias":…,"Mode":…}, …]`, the same shape as `Sources`), yielded one item at a time. A
 * sequence of objects separated by whitespace (JSON Lines) is accepted too. Each item is bounded in
 * size, so a hostile manifest cannot make one value grow without limit.
 */
import type { Readable } from 'node:stream';

/** One rule of the manifest is small; anything this big is not a rule. */
const MAX_ITEM_CHARS = 64 * 1024;

export class ManifestSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestSyntaxError';
  }
}

/** Splits the text into top-level items; `items()` yields each parsed value. */
class ItemScanner {
  private started = false;
  private arrayMode = false;
  private finished = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private item = '';
  private index = 0;

  /** Feeds text; returns the complete item texts found. */
  feed(text: string): string[] {
    const out: string[] = [];
    for (const ch of text) this.step(ch, out);
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    if (this.item.trim() !== '') {
      if (this.arrayMode || this.depth !== 0 || this.inString)
        throw new ManifestSyntaxError('The manifest is truncated.');
      out.push(this.take());
    }
    if (this.arrayMode && !this.finished) throw new ManifestSyntaxError('The manifest array is not closed.');
    return out;
  }

  private step(ch: string, out: string[]): void {
    this.index++;
    if (this.finished) {
      if (!/\s/.test(ch))
        throw new ManifestSyntaxError(`Unexpected text after the manifest array (character ${this.index}).`);
      return;
    }
    if (!this.started) {
      if (/\s/.test(ch) || ch === '\uFEFF') return;
      this.started = true;
      if (ch === '[') {
        this.arrayMode = true;
        return;
      }
    }
    if (this.inString) {
      this.append(ch);
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') this.inString = false;
      return;
    }
    if (this.depth === 0) {
      if (this.arrayMode && (ch === ',' || ch === ']')) {
        if (this.item.trim() !== '') out.push(this.take());
        else if (ch === ',')
          throw new ManifestSyntaxError(`Empty item in the manifest (character ${this.index}).`);
        if (ch === ']') this.finished = true;
        return;
      }
      if (!this.arrayMode && /\s/.test(ch) && this.item.trim() === '') return;
    }
    this.append(ch);
    if (ch === '"') this.inString = true;
    else if (ch === '{' || ch === '[') this.depth++;
    else if (ch === '}' || ch === ']') {
      this.depth--;
      if (this.depth < 0)
        throw new ManifestSyntaxError(`Unbalanced "${ch}" in the manifest (character ${this.index}).`);
      if (this.depth === 0 && !this.arrayMode) out.push(this.take());
    }
  }

  private append(ch: string): void {
    this.item += ch;
    if (this.item.length > MAX_ITEM_CHARS)
      throw new ManifestSyntaxError('A manifest item is longer than 64 KB.');
  }

  private take(): string {
    const text = this.item;
    this.item = '';
    return text;
  }
}

/** Yields each item of the manifest as parsed JSON. Throws ManifestSyntaxError on malformed text. */
export async function* readManifestItems(body: Readable): AsyncGenerator<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const scanner = new ItemScanner();
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw new ManifestSyntaxError(`A manifest item is not valid JSON: ${text.slice(0, 80)}`);
    }
  };
  try {
    for await (const chunk of body) {
      let text: string;
      try {
        text = decoder.decode(chunk as Buffer, { stream: true });
      } catch {
        throw new ManifestSyntaxError('The manifest is not valid UTF-8.');
      }
      for (const item of scanner.feed(text)) yield parse(item);
    }
    for (const item of scanner.end()) yield parse(item);
  } finally {
    body.destroy();
  }
}

/**
 * Tokenizer for TargetURI templates (spec section 5): `str.format`-like, `{name}` and `{tags.KEY}`
 * variables, `{{` and `}}` for literal braces. Every malformed form gets its own message naming the
 * offset, so the client can fix the template from the error alone.
 */

export type TemplateToken = { kind: 'text'; value: string } | { kind: 'var'; name: string };

export class TemplateSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
    this.name = 'TemplateSyntaxError';
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Tag keys are the client's own: anything but braces and control characters. */
const TAG_KEY = /^[^{}\u0000-\u001f\u007f]+$/;

export function tokenizeTemplate(source: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '{' && source[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && source[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '}') {
      throw new TemplateSyntaxError(`Single "}" at offset ${i}: write "}}" for a literal brace.`, i);
    } else if (ch === '{') {
      const close = source.indexOf('}', i + 1);
      const nextOpen = source.indexOf('{', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        throw new TemplateSyntaxError(`Unclosed "{" at offset ${i}: write "{{" for a literal brace.`, i);
      }
      const name = source.slice(i + 1, close);
      checkVariableName(name, i);
      if (text) tokens.push({ kind: 'text', value: text });
      text = '';
      tokens.push({ kind: 'var', name });
      i = close + 1;
    } else {
      text += ch;
      i += 1;
    }
  }
  if (text) tokens.push({ kind: 'text', value: text });
  return tokens;
}

function checkVariableName(name: string, offset: number): void {
  if (name === '') throw new TemplateSyntaxError(`Empty variable "{}" at offset ${offset}.`, offset);
  if (name.startsWith('tags.')) {
    if (!TAG_KEY.test(name.slice(5))) {
      throw new TemplateSyntaxError(`Variable "{${name}}" at offset ${offset} has no valid tag key.`, offset);
    }
    return;
  }
  if (!IDENT.test(name)) {
    throw new TemplateSyntaxError(
      `"{${name}}" at offset ${offset} is not a variable name (format specs and expressions are not supported).`,
      offset,
    );
  }
}

/** The inverse of tokenizing a text: doubles every brace. */
export function escapeTemplateText(text: string): string {
  return text.replace(/[{}]/g, (b) => b + b);
}

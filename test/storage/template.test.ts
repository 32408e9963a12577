import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { parseOssUri } from '../../src/storage/oss-uri.ts';
import { compileTemplate, PUBLIC_TEMPLATE_VARS, sourceTemplateVars } from '../../src/storage/template.ts';
import { escapeTemplateText } from '../../src/storage/template-parse.ts';

const opts = { paramName: 'TargetURI' };
const created = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const modified = new Date(Date.UTC(2022, 3, 22, 14, 38, 25));

function immError(fn: () => unknown): ImmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err;
    throw err;
  }
  throw new Error('expected an ImmError');
}

describe('sourceTemplateVars', () => {
  it('gives the public variables of a source object', () => {
    const vars = sourceTemplateVars(
      { uri: 'oss://test-bucket/path1/path2/name.png', lastModified: modified },
      created,
      { batch: 'b7', 'with space': 'v' },
    );
    expect(vars).toMatchObject({
      bucket: 'test-bucket',
      key: 'path1/path2/name.png',
      dirname: 'path1/path2',
      barename: 'name',
      basename: 'name.png',
      ext: 'png',
      year: '2022',
      mon: '04',
      day: '22',
      hour: '14',
      min: '38',
      sec: '25',
      t_year: '2024',
      t_mon: '01',
      t_day: '02',
      t_hour: '03',
      t_min: '04',
      t_sec: '05',
      'tags.batch': 'b7',
      'tags.with space': 'v',
    });
  });

  it('splits extensions like os.path.splitext', () => {
    const v = (key: string) => sourceTemplateVars({ uri: `oss://bkt/${key}` }, created, {});
    expect(v('a.tar.gz')).toMatchObject({ barename: 'a.tar', ext: 'gz', dirname: '' });
    expect(v('dir/.bashrc')).toMatchObject({ barename: '.bashrc', ext: '', dirname: 'dir' });
    expect(v('noext')).toMatchObject({ barename: 'noext', ext: '' });
    expect(v('x/y')).toMatchObject({ year: '2024', sec: '05' });
  });
});

describe('compileTemplate', () => {
  it('renders the documented example', () => {
    const t = compileTemplate('oss://{bucket}/{tags.custom}/{dirname}/{barename}.{autoext}', {
      paramName: 'TargetURI',
      operationVars: ['autoext'],
    });
    expect(t.variables).toEqual(['bucket', 'tags.custom', 'dirname', 'barename', 'autoext']);
    const vars = {
      ...sourceTemplateVars({ uri: 'oss://test-bucket/path1/path2/name.docx' }, created, { custom: 'c1' }),
      autoext: 'pdf',
    };
    expect(t.render(vars)).toBe('oss://test-bucket/c1/path1/path2/name.pdf');
  });

  it('turns doubled braces into literal ones', () => {
    const t = compileTemplate('oss://out-bucket/{{x}}/{{{barename}}}.txt', opts);
    expect(t.variables).toEqual(['barename']);
    expect(t.render({ barename: 'n' })).toBe('oss://out-bucket/{x}/{n}.txt');
  });

  it('collapses the empty segments that empty variables leave', () => {
    const t = compileTemplate('oss://{bucket}/{dirname}/{barename}.zip', opts);
    expect(t.render(sourceTemplateVars({ uri: 'oss://bkt/a.png' }, created, {}))).toBe('oss://bkt/a.zip');
    const prefix = compileTemplate('oss://{bucket}/{dirname}/', opts);
    expect(prefix.render(sourceTemplateVars({ uri: 'oss://bkt/a.png' }, created, {}))).toBe('oss://bkt/');
  });

  it.each([
    ['oss://b1x/{nope}.png', 'Unknown template variable {nope}'],
    ['oss://b1x/{index}.png', 'Unknown template variable {index}'],
    ['oss://b1x/{barename', 'Unclosed "{" at offset 10'],
    ['oss://b1x/{a{b}}', 'Unclosed "{" at offset 10'],
    ['oss://b1x/x}.png', 'Single "}" at offset 11'],
    ['oss://b1x/{}.png', 'Empty variable'],
    ['oss://b1x/{barename:>10}', 'format specs'],
    ['oss://b1x/{barename!r}', 'format specs'],
    ['oss://b1x/{tags.}', 'no valid tag key'],
    ['http://b1x/{barename}', 'must start with "oss://"'],
    ['{bucket}/x', 'must start with "oss://"'],
    ['oss://{tags.b}/x', 'literal name or exactly {bucket}'],
    ['oss://pre-{bucket}/x', 'literal name or exactly {bucket}'],
    ['oss://{bucket}{ext}/x', 'literal name or exactly {bucket}'],
    ['oss:///x', 'names no bucket'],
    ['oss://b1x.oss-cn-hangzhou.aliyuncs.com/x', 'not an endpoint'],
    ['oss://B_1/x', 'bucket name "B_1" is not valid'],
    ['oss://b1x/../x', '".." path segments'],
    ['oss://b1x/{dirname}/../x', '".." path segments'],
    ['oss://b1x/./x', '"." path segments'],
    ['oss://b1x//x', 'empty path segments'],
    ['oss://b1x/a//{barename}', 'empty path segments'],
  ])('refuses %j at create time', (template, fragment) => {
    const err = immError(() => compileTemplate(template, opts));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('TargetURI');
    expect(err.message).toContain(fragment);
  });

  it('accepts operation variables only when the operation registers them', () => {
    const t = compileTemplate('oss://b1x/out/{index}_{sheetname}.{autoext}', {
      paramName: 'TargetURI',
      operationVars: ['index', 'sheetname', 'autoext'],
    });
    expect(t.render({ index: '6_12', sheetname: 'sheet1', autoext: 'png' })).toBe(
      'oss://b1x/out/6_12_sheet1.png',
    );
  });

  it('refuses at render time values that would climb out or change the bucket', () => {
    const t = compileTemplate('oss://{bucket}/out/{tags.batch}/{barename}.zip', opts);
    const base = sourceTemplateVars({ uri: 'oss://src-bucket/a.png' }, created, {});
    expect(immError(() => t.render({ ...base, 'tags.batch': '../../x' })).message).toContain(
      '".." path segments',
    );
    expect(immError(() => t.render({ ...base, 'tags.batch': 'a\u0000' })).message).toContain(
      'control characters',
    );
    expect(immError(() => t.render({ ...base, bucket: 'evil/other' })).message).toContain('{bucket}');
    expect(immError(() => t.render(base)).message).toContain('request Tags have no key "batch"');
    expect(t.render({ ...base, 'tags.batch': 'b/7' })).toBe('oss://src-bucket/out/b/7/a.zip');
  });
});

// Text that is safe as a key segment; braces are allowed (they are escaped when used as literal text).
const segmentChar = fc.constantFrom(...'abcXYZ019-_.{} 中é'.split(''));
const segment = fc
  .array(segmentChar, { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..');
const literalKey = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segs) => segs.join('/'));
const varName = fc.constantFrom(...PUBLIC_TEMPLATE_VARS.filter((v) => v !== 'bucket'), 'tags.t1', 'tags.k-2');

describe('template properties', () => {
  it('escaping any literal key renders it back unchanged', () => {
    fc.assert(
      fc.property(literalKey, (key) => {
        const t = compileTemplate(`oss://bkt/${escapeTemplateText(key)}`, opts);
        expect(t.variables).toEqual([]);
        expect(t.render({})).toBe(`oss://bkt/${key}`);
      }),
    );
  });

  it('renders the concatenation of literal parts and variable values', () => {
    const part = fc.oneof(
      segment.map((s) => ({ kind: 'text' as const, s })),
      varName.map((name) => ({ kind: 'var' as const, name })),
    );
    const value = fc
      .array(
        segmentChar.filter((c) => c !== '.'),
        { minLength: 1, maxLength: 6 },
      )
      .map((c) => c.join(''));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), value, (parts, v) => {
        const source = parts
          .map((p) => (p.kind === 'text' ? escapeTemplateText(p.s) : `{${p.name}}`))
          .join('/');
        const vars: Record<string, string> = {};
        for (const p of parts) if (p.kind === 'var') vars[p.name] = v;
        const t = compileTemplate(`oss://bkt/${source}`, opts);
        const expected = parts.map((p) => (p.kind === 'text' ? p.s : v)).join('/');
        expect(t.render(vars)).toBe(`oss://bkt/${expected}`);
      }),
    );
  });

  it('never throws anything but InvalidArgument, and never renders outside its bucket', () => {
    const chars = fc.constantFrom(
      ...'oss:/{}{}bkt.._-xa'.split(''),
      '{bucket}',
      '{tags.t}',
      '{dirname}',
      '{key}',
      '..',
      '//',
    );
    const anyValue = fc.constantFrom('', '..', '.', 'a/..', '/', 'a//b', 'ok', 'x/y', '{', '}');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 14 }), anyValue, (cs, value) => {
        const template = `oss://bkt/${cs.join('')}`;
        let t: ReturnType<typeof compileTemplate>;
        try {
          t = compileTemplate(template, opts);
        } catch (err) {
          expect(err).toBeInstanceOf(ImmError);
          expect((err as ImmError).code).toBe('InvalidArgument');
          return;
        }
        const vars: Record<string, string> = {
          bucket: 'src-bucket',
          'tags.t': value,
          dirname: value,
          key: value,
        };
        try {
          const out = t.render(vars);
          const parsed = parseOssUri(out);
          expect(parsed.bucket).toBe('bkt');
          expect(parsed.key.split('/')).not.toContain('..');
        } catch (err) {
          expect(err).toBeInstanceOf(ImmError);
          expect((err as ImmError).code).toBe('InvalidArgument');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every unbalanced single brace', () => {
    // A valid template has an even count of "{" minus "}" ({{, }} and {name} each keep it even),
    // so one brace inserted anywhere into an escaped literal can never be valid.
    fc.assert(
      fc.property(literalKey, fc.constantFrom('{', '}'), fc.nat(), (key, brace, at) => {
        const escaped = escapeTemplateText(key);
        const pos = at % (escaped.length + 1);
        const template = `oss://bkt/${escaped.slice(0, pos)}${brace}${escaped.slice(pos)}`;
        const err = immError(() => compileTemplate(template, opts));
        expect(err.code).toBe('InvalidArgument');
      }),
    );
  });
});

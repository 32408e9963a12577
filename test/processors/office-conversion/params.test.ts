import { describe, expect, it } from 'vitest';
import { officeConversionContent } from '../../../src/processors/office-conversion/content.ts';
import { makeNamer, nameOutputs } from '../../../src/processors/office-conversion/naming.ts';
import {
  pageRuns,
  parsePageList,
  resolvePages,
} from '../../../src/processors/office-conversion/page-selection.ts';
import { officeConversionParamsSchema } from '../../../src/processors/office-conversion/params.ts';
import { familyOf, sourceTypeFromKey } from '../../../src/processors/office-conversion/source-type.ts';
import { joinLines, tidy } from '../../../src/processors/office-conversion/text.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import { ImmError } from '../../../src/protocol/errors.ts';

const base = { ProjectName: 'p', SourceURI: 'oss://in-bucket/docs/report.docx', TargetType: 'png' };

function parse(extra: Record<string, unknown>) {
  return parseParams(officeConversionParamsSchema, {
    ...base,
    TargetURI: 'oss://out-bucket/{index}.{autoext}',
    ...extra,
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ImmError || err instanceof TaskError ? `${err.code}: ${err.message}` : String(err);
  }
}

describe('CreateOfficeConversionTask parameters', () => {
  it('decodes wire strings into typed values, enums case-insensitively', () => {
    const p = parse({
      TargetType: 'JPG',
      StartPage: '2',
      EndPage: '-1',
      ImageDPI: '150',
      LongPicture: 'true',
      PaperSize: 'a2',
      TrimPolicy: '{"DisableDeleteEmptyCell":true}',
      Notification: '{"MNS":{"TopicName":"t"}}',
    });
    expect(p).toMatchObject({
      TargetType: 'jpg',
      StartPage: 2,
      EndPage: -1,
      ImageDPI: 150,
      LongPicture: true,
      PaperSize: 'A2',
      TrimPolicy: { DisableDeleteEmptyCell: true },
    });
  });

  it('refuses values outside the documented ranges', () => {
    expect(codeOf(() => parse({ ImageDPI: '50' }))).toMatch(/^InvalidArgument: .*ImageDPI/);
    expect(codeOf(() => parse({ ImageDPI: '601' }))).toMatch(/^InvalidArgument: .*ImageDPI/);
    expect(codeOf(() => parse({ ScalePercentage: '200' }))).toMatch(/^InvalidArgument: .*ScalePercentage/);
    expect(codeOf(() => parse({ Quality: '101' }))).toMatch(/^InvalidArgument: .*Quality/);
    expect(codeOf(() => parse({ TargetType: 'gif' }))).toMatch(/^InvalidArgument: .*TargetType/);
    expect(codeOf(() => parse({ StartPage: '5', EndPage: '3' }))).toMatch(/^InvalidArgument: .*EndPage/);
    expect(codeOf(() => parse({ Pages: '1,x' }))).toMatch(/^InvalidArgument: .*Pages/);
    expect(codeOf(() => parse({ TrimPolicy: '{oops' }))).toMatch(/^InvalidJSON/);
  });

  it('needs a source, a TargetType and exactly one of TargetURI and TargetURIPrefix', () => {
    expect(
      codeOf(() =>
        parseParams(officeConversionParamsSchema, { TargetType: 'pdf', TargetURI: 'oss://b/x.pdf' }),
      ),
    ).toMatch(/^MissingSourceURI/);
    expect(
      codeOf(() => parseParams(officeConversionParamsSchema, { ...base, TargetType: undefined })),
    ).toMatch(/^MissingTargetType/);
    expect(codeOf(() => parseParams(officeConversionParamsSchema, base))).toMatch(
      /^InvalidArgument: Exactly one/,
    );
    expect(codeOf(() => parse({ TargetURIPrefix: 'oss://out-bucket/x/' }))).toMatch(
      /^InvalidArgument: Exactly one/,
    );
  });
});

describe('page selection', () => {
  it('parses page lists and ranges', () => {
    expect(parsePageList('1,2-4,7')).toEqual([
      [1, 1],
      [2, 4],
      [7, 7],
    ]);
    expect(parsePageList(' 5 - ')).toEqual([[5, -1]]);
    expect(parsePageList('0')).toBeNull();
    expect(parsePageList('4-2')).toBeNull();
    expect(parsePageList('')).toBeNull();
  });

  it('lets Pages override StartPage/EndPage and clamps to the document', () => {
    expect(pageRuns({ Pages: '3', StartPage: 1, EndPage: 2 })).toEqual([[3, 3]]);
    expect(pageRuns({})).toBeNull();
    expect(resolvePages(pageRuns({ StartPage: 2 }), 4)).toEqual([2, 3, 4]);
    expect(
      resolvePages(
        [
          [3, 9],
          [1, 1],
          [3, 3],
        ],
        5,
      ),
    ).toEqual([1, 3, 4, 5]);
    expect(resolvePages([[7, 9]], 5)).toEqual([]);
  });
});

describe('source types', () => {
  it('knows the families of the spec types and reads them from the key', () => {
    expect(familyOf('wps')).toBe('text');
    expect(familyOf('PPSX')).toBe('presentation');
    expect(familyOf('et')).toBe('spreadsheet');
    expect(familyOf('pdf')).toBe('pdf');
    expect(sourceTypeFromKey('a/b/Report.DOCX')).toBe('docx');
    expect(sourceTypeFromKey('a/b/.docx')).toBeUndefined();
    expect(sourceTypeFromKey('a/b/noext')).toBeUndefined();
  });
});

describe('output naming', () => {
  const created = new Date(Date.UTC(2024, 4, 6, 7, 8, 9));

  it('renders the template with {index}, {sheetname} and {autoext}', () => {
    const namer = makeNamer(
      {
        SourceURI: 'oss://in-bucket/docs/book.xlsx',
        TargetType: 'png',
        TargetURI: 'oss://{bucket}/out/{barename}/{sheetname}-{index}.{autoext}',
      },
      { createdAt: created, tags: {} },
    );
    expect(namer({ index: '2_3', sheetname: 'Beta' })).toBe('oss://in-bucket/out/book/Beta-2_3.png');
  });

  it('names files under a prefix as <prefix>{index}.{autoext}', () => {
    const namer = makeNamer(
      { SourceURI: 'oss://in-bucket/a.pptx', TargetType: 'jpg', TargetURIPrefix: 'oss://out-bucket/slides/' },
      { createdAt: created, tags: {} },
    );
    expect(namer({ index: '4', sheetname: '' })).toBe('oss://out-bucket/slides/4.jpg');
    const bare = makeNamer(
      { SourceURI: 'oss://in-bucket/a.pptx', TargetType: 'pdf', TargetURIPrefix: 'oss://out-bucket' },
      { createdAt: created, tags: {} },
    );
    expect(bare({ index: '1', sheetname: '' })).toBe('oss://out-bucket/1.pdf');
  });

  it('fails before writing when several outputs would share one object', () => {
    const namer = makeNamer(
      {
        SourceURI: 'oss://in-bucket/a.docx',
        TargetType: 'png',
        TargetURI: 'oss://out-bucket/{barename}.{autoext}',
      },
      { createdAt: created, tags: {} },
    );
    expect(nameOutputs(namer, [{ index: '1', sheetname: '' }])).toEqual(['oss://out-bucket/a.png']);
    expect(
      codeOf(() =>
        nameOutputs(namer, [
          { index: '1', sheetname: '' },
          { index: '2', sheetname: '' },
        ]),
      ),
    ).toMatch(/^InvalidArgument: TargetURI names the same object/);
  });

  it('refuses unknown template variables', () => {
    expect(
      codeOf(() =>
        makeNamer(
          {
            SourceURI: 'oss://in-bucket/a.docx',
            TargetType: 'pdf',
            TargetURI: 'oss://out-bucket/{page}.pdf',
          },
          { createdAt: created, tags: {} },
        ),
      ),
    ).toMatch(/^InvalidArgument: .*\{page\}/);
  });
});

describe('text output', () => {
  it('removes layout line feeds unless HoldLineFeed, joining CJK without spaces', () => {
    const page = '\nFirst line\nsecond line  \n\n中文\n内容\n\n';
    expect(tidy(page, true)).toBe('First line\nsecond line\n\n中文\n内容');
    expect(tidy(page, false)).toBe('First line second line 中文内容');
    expect(joinLines(['a', 'b'])).toBe('a b');
  });
});

describe('notification content', () => {
  it('lists the fields in order, with "" and null for absent values', () => {
    const p = parse({});
    const content = officeConversionContent(p, ['oss://out-bucket/1.png'], 3);
    expect(Object.keys(content)).toEqual([
      'SourceURI',
      'TargetType',
      'TargetURI',
      'TargetURIPrefix',
      'Targets',
      'PageCount',
    ]);
    expect(content).toMatchObject({
      TargetURIPrefix: '',
      Targets: [{ URI: 'oss://out-bucket/1.png' }],
      PageCount: 3,
    });
    expect(officeConversionContent(p, null).Targets).toBeNull();
  });

  it('caps the Targets list at 1,000 entries', () => {
    const many = Array.from({ length: 1500 }, (_, i) => `oss://out-bucket/${i}.png`);
    expect((officeConversionContent(parse({}), many).Targets as unknown[]).length).toBe(1000);
  });
});

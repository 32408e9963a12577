import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOfficeConfig } from '../../../src/engines/office/config.ts';
import { makeOfficeConversionProcessor } from '../../../src/processors/office-conversion/index.ts';
import { officeConversionParamsSchema } from '../../../src/processors/office-conversion/params.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { ImmError } from '../../../src/protocol/errors.ts';
import { compilePolicy } from '../../../src/storage/policy.ts';
import { createScopedStorage } from '../../../src/storage/scoped.ts';
import { makeCreateContext } from '../../helpers/run-context.ts';
import { makeTestStorage, TEST_ACCOUNT, type TestStorage } from '../../helpers/storage.ts';

let storage: TestStorage;
const processor = makeOfficeConversionProcessor({
  config: () => ({ ...defaultOfficeConfig, maxSourceBytes: 1000 }),
});

beforeAll(async () => {
  storage = await makeTestStorage();
  await storage.put('oss://in-bucket/docs/report.docx', 'not really a docx, but it exists');
  await storage.put('oss://in-bucket/docs/noext', 'x');
  await storage.put('oss://in-bucket/docs/big.docx', Buffer.alloc(2000));
  await storage.put('oss://out-bucket/keep', 'x');
});

afterAll(async () => {
  await storage?.cleanup();
});

async function validate(
  params: Record<string, unknown>,
  opts: { tags?: Record<string, string>; scoped?: any } = {},
) {
  try {
    const p = parseParams(officeConversionParamsSchema, {
      SourceURI: 'oss://in-bucket/docs/report.docx',
      TargetType: 'pdf',
      TargetURI: 'oss://out-bucket/{barename}.{autoext}',
      ...params,
    });
    await processor.validate(p, makeCreateContext(opts.scoped ?? storage.scoped, { tags: opts.tags ?? {} }));
    return 'ok';
  } catch (err) {
    if (err instanceof ImmError) return `${err.httpStatus} ${err.code}: ${err.message}`;
    throw err;
  }
}

describe('CreateOfficeConversionTask create-time checks', () => {
  it('accepts a readable source and a writable target', async () => {
    expect(await validate({})).toBe('ok');
    expect(await validate({ TargetURI: undefined, TargetURIPrefix: 'oss://out-bucket/pages/' })).toBe('ok');
  });

  it('names a missing source object', async () => {
    expect(await validate({ SourceURI: 'oss://in-bucket/docs/gone.docx' })).toBe(
      '400 InvalidArgument: File does not exist. oss://in-bucket/docs/gone.docx',
    );
  });

  it('needs SourceType when the extension does not tell the type', async () => {
    expect(await validate({ SourceURI: 'oss://in-bucket/docs/noext' })).toMatch(
      /^400 InvalidArgument: .*SourceType/,
    );
    expect(await validate({ SourceURI: 'oss://in-bucket/docs/noext', SourceType: 'docx' })).toBe('ok');
  });

  it('names unknown buckets of the source and of the target', async () => {
    expect(await validate({ SourceURI: 'oss://nowhere-bucket/a.docx' })).toMatch(
      /^400 InvalidArgument: .*nowhere-bucket/,
    );
    expect(await validate({ TargetURI: 'oss://elsewhere-bucket/{index}.pdf' })).toMatch(
      /^400 InvalidArgument: .*elsewhere-bucket/,
    );
  });

  it('checks template variables, tags included', async () => {
    expect(await validate({ TargetURI: 'oss://out-bucket/{pagenumber}.pdf' })).toMatch(
      /^400 InvalidArgument: .*pagenumber/,
    );
    expect(await validate({ TargetURI: 'oss://out-bucket/{tags.team}/{index}.pdf' })).toMatch(
      /^400 InvalidArgument: .*tags\.team/,
    );
    expect(
      await validate({ TargetURI: 'oss://out-bucket/{tags.team}/{index}.pdf' }, { tags: { team: 'a' } }),
    ).toBe('ok');
  });

  it('refuses image lists (Sources) without a SourceURI', async () => {
    expect(await validate({ SourceURI: undefined, Sources: '[{"URI":"oss://in-bucket/a.png"}]' })).toMatch(
      /^400 InvalidArgument: .*Sources/,
    );
  });

  it('refuses a source over the size limit', async () => {
    expect(await validate({ SourceURI: 'oss://in-bucket/docs/big.docx' })).toMatch(/^400 LimitExceededError/);
  });

  it('answers NoPermission when the role may not read the source or write the target', async () => {
    const readOnly = createScopedStorage(storage.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'reader',
      policy: compilePolicy([{ actions: ['read'], resources: ['oss://in-bucket/*'] }]),
    });
    expect(await validate({}, { scoped: readOnly })).toMatch(/^403 NoPermission: .*out-bucket/);
    const writeOnly = createScopedStorage(storage.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'writer',
      policy: compilePolicy([{ actions: ['write'], resources: ['oss://out-bucket/*'] }]),
    });
    expect(await validate({}, { scoped: writeOnly })).toMatch(/^403 NoPermission: .*in-bucket/);
  });
});

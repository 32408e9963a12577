import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { compilePolicy, intersectPolicies, patternToRegExp } from '../../src/storage/policy.ts';
import { parseRamPolicy } from '../../src/storage/ram-policy.ts';

describe('policies', () => {
  const p = compilePolicy([
    { actions: ['read'], resources: ['oss://bucket-a/*'] },
    { actions: ['write'], resources: ['oss://bucket-b/out/*'] },
    { actions: ['*'], resources: ['oss://bucket-c/*'] },
    { effect: 'deny', actions: ['*'], resources: ['oss://bucket-c/private/*'] },
  ]);

  it('allows only what a statement grants', () => {
    expect(p.allows('read', 'bucket-a', 'x/y.png')).toBe(true);
    expect(p.allows('write', 'bucket-a', 'x/y.png')).toBe(false);
    expect(p.allows('write', 'bucket-b', 'out/r.zip')).toBe(true);
    expect(p.allows('write', 'bucket-b', 'outside.zip')).toBe(false);
    expect(p.allows('write', 'bucket-b', 'out')).toBe(false);
    expect(p.allows('read', 'bucket-b', 'out/r.zip')).toBe(false);
    expect(p.allows('read', 'bucket-d', 'x')).toBe(false);
  });

  it('lets deny win over allow', () => {
    expect(p.allows('write', 'bucket-c', 'public/x')).toBe(true);
    expect(p.allows('read', 'bucket-c', 'private/x')).toBe(false);
  });

  it('matches patterns literally except for *', () => {
    expect(patternToRegExp('oss://b/a.b(c)+*').test('oss://b/a.b(c)+/x/y')).toBe(true);
    expect(patternToRegExp('oss://b/a.b').test('oss://b/aXb')).toBe(false);
    expect(patternToRegExp('oss://b-*/in/*').test('oss://b-2/in/k')).toBe(true);
    // A bucket pattern must not reach a longer bucket name sharing its prefix.
    expect(
      compilePolicy([{ actions: ['read'], resources: ['oss://bucket/*'] }]).allows('read', 'bucket2', 'k'),
    ).toBe(false);
  });

  it('intersects a role policy with a session policy', () => {
    const session = compilePolicy([
      { actions: ['*'], resources: ['oss://bucket-a/public/*', 'oss://bucket-b/*'] },
    ]);
    const both = intersectPolicies(p, session);
    expect(both.allows('read', 'bucket-a', 'public/1')).toBe(true);
    expect(both.allows('read', 'bucket-a', 'other/1')).toBe(false);
    expect(both.allows('write', 'bucket-b', 'out/1')).toBe(true);
    expect(both.allows('read', 'bucket-b', 'out/1')).toBe(false);
  });
});

describe('RAM session policies', () => {
  it('maps OSS actions and resources onto read and write', () => {
    const policy = parseRamPolicy(
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['oss:GetObject', 'oss:ListObjects'],
            Resource: ['acs:oss:*:*:in-bucket/*'],
          },
          { Effect: 'Allow', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:out-bucket/results/*' },
          { Effect: 'Deny', Action: 'oss:*', Resource: 'acs:oss:*:*:in-bucket/secret/*' },
          { Effect: 'Allow', Action: 'mns:Publish', Resource: '*' },
        ],
      }),
    );
    expect(policy.allows('read', 'in-bucket', 'a.png')).toBe(true);
    expect(policy.allows('write', 'in-bucket', 'a.png')).toBe(false);
    expect(policy.allows('read', 'in-bucket', 'secret/a.png')).toBe(false);
    expect(policy.allows('write', 'out-bucket', 'results/x')).toBe(true);
    expect(policy.allows('write', 'out-bucket', 'x')).toBe(false);
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['{"Version":"1"}', 'no Statement'],
    ['{"Statement":[{"Effect":"Maybe","Action":"oss:*","Resource":"*"}]}', 'Effect must be Allow or Deny'],
    [
      '{"Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*","Condition":{"IpAddress":{}}}]}',
      'conditions are not supported',
    ],
  ])('refuses %j with InvalidArgument', (text, fragment) => {
    let err: unknown;
    try {
      parseRamPolicy(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImmError);
    expect((err as ImmError).code).toBe('InvalidArgument');
    expect((err as ImmError).message).toContain('CredentialConfig.Policy');
    expect((err as ImmError).message).toContain(fragment);
  });
});

describe('policy properties', () => {
  const bucket = fc.constantFrom('bucket-a', 'bucket-b');
  const key = fc
    .array(fc.constantFrom('a', 'b', 'out', 'x.png', 'in'), { minLength: 1, maxLength: 4 })
    .map((s) => s.join('/'));
  const prefix = fc.array(fc.constantFrom('a', 'b', 'out', 'in'), { maxLength: 2 }).map((s) => s.join('/'));
  const access = fc.constantFrom('read' as const, 'write' as const);
  const actions = fc.constantFrom<Array<'read' | 'write' | '*'>>(['read'], ['write'], ['*']);
  const statement = fc.record({
    effect: fc.constantFrom('allow' as const, 'deny' as const),
    actions,
    resources: fc.tuple(bucket, prefix).map(([b, p]) => [`oss://${b}/${p ? `${p}/` : ''}*`]),
  });
  const covers = (s: { actions: string[]; resources: string[] }, a: 'read' | 'write', b: string, k: string) =>
    (s.actions.includes(a) || s.actions.includes('*')) &&
    s.resources.some((r) => `oss://${b}/${k}`.startsWith(r.slice(0, -1)));

  it('allows exactly when some allow covers the access and no deny does', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 6 }), access, bucket, key, (stmts, a, b, k) => {
        const expected =
          stmts.some((s) => s.effect === 'allow' && covers(s, a, b, k)) &&
          !stmts.some((s) => s.effect === 'deny' && covers(s, a, b, k));
        expect(compilePolicy(stmts).allows(a, b, k)).toBe(expected);
      }),
    );
  });

  it('an intersection never allows more than either side, and a deny added never widens', () => {
    fc.assert(
      fc.property(
        fc.array(statement, { maxLength: 4 }),
        fc.array(statement, { maxLength: 4 }),
        access,
        bucket,
        key,
        (s1, s2, a, b, k) => {
          const p1 = compilePolicy(s1);
          const p2 = compilePolicy(s2);
          expect(intersectPolicies(p1, p2).allows(a, b, k)).toBe(p1.allows(a, b, k) && p2.allows(a, b, k));
          const denied = compilePolicy([...s1, ...s2.map((s) => ({ ...s, effect: 'deny' as const }))]);
          if (denied.allows(a, b, k)) expect(p1.allows(a, b, k)).toBe(true);
        },
      ),
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberArrayLiteral, textArrayLiteral } from '../../src/db/array-literal.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';

const AWKWARD = [
  'BenchNoop-0b6a1c2e-8f3d-4e5a-9b7c-1d2e3f4a5b6c',
  '',
  'NULL',
  'null',
  'a,b',
  'with space',
  'quote " inside',
  'back\\slash',
  '{braces}',
  'TaskCancelled',
  'The task was cancelled by a CancelTask request.',
  '中文 名',
  '\ttab\nnewline',
];

for (const { name, make } of DATABASES) {
  describe(`array literals on ${name}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t.drop();
    });

    it('reads back every text element as it was, in order', async () => {
      const r = await t.db.query<{ a: string[] }>('SELECT $1::text[] AS a', [textArrayLiteral(AWKWARD)]);
      expect(r.rows[0]!.a).toEqual(AWKWARD);
    });

    it('reads back numbers, epoch milliseconds included', async () => {
      const values = [1764141000123, 0, -5, 2.5];
      const r = await t.db.query<{ a: number[] }>('SELECT $1::float8[] AS a', [numberArrayLiteral(values)]);
      expect(r.rows[0]!.a).toEqual(values);
    });

    it('makes an empty array of an empty list', async () => {
      const r = await t.db.query<{ n: number }>('SELECT cardinality($1::text[]) AS n', [
        textArrayLiteral([]),
      ]);
      expect(r.rows[0]!.n).toBe(0);
    });
  });
}

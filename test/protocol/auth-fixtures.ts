/** Shared pieces of the authenticate tests: dependencies, request copies and tampering. */
import { expect } from 'vitest';
import type { AuthDeps } from '../../src/protocol/authenticate.ts';
import { ImmError } from '../../src/protocol/errors.ts';
import { MemoryNonceStore, type NonceStore } from '../../src/protocol/nonce-cache.ts';
import type { WireRequest } from '../../src/protocol/wire-request.ts';

export const AK = 'LTAI5tOpenImmTestKey';
export const SECRET = 'openimm-test-secret-0123456789';
export const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** JSON-in-param with the characters Node's querystring leaves raw (`!'()*`), spaces and non-ASCII. */
export const SOURCES = JSON.stringify([
  { URI: "oss://bucket/in/It's (draft) *final*! 报告 ü.docx", Alias: '/a b/c~d' },
  { URI: 'oss://bucket/in/plain.txt' },
]);

export function makeDeps(
  opts: { secrets?: Record<string, string>; nowMs?: number; nonces?: NonceStore } = {},
): AuthDeps {
  const secrets = opts.secrets ?? { [AK]: SECRET };
  return {
    lookupSecret: async (id) => secrets[id] ?? null,
    nonces: opts.nonces ?? new MemoryNonceStore(2 * FIFTEEN_MINUTES),
    nowMs: () => opts.nowMs ?? Date.now(),
    maxSkewMs: FIFTEEN_MINUTES,
  };
}

export function copyRequest(req: WireRequest, changes: Partial<WireRequest> = {}): WireRequest {
  return { ...req, headers: { ...req.headers }, body: Buffer.from(req.body), ...changes };
}

export function withHeaders(req: WireRequest, headers: Record<string, string | undefined>): WireRequest {
  return copyRequest(req, { headers: { ...req.headers, ...headers } });
}

/** Replaces the first occurrence of `from` in the raw query (still percent-encoded). */
export function tamperQuery(req: WireRequest, from: string, to: string): WireRequest {
  expect(req.rawQuery).toContain(from);
  return copyRequest(req, { rawQuery: req.rawQuery.replace(from, to) });
}

export function tamperBody(req: WireRequest, from: string, to: string): WireRequest {
  const text = req.body.toString('utf8');
  expect(text).toContain(from);
  return copyRequest(req, { body: Buffer.from(text.replace(from, to), 'utf8') });
}

export async function expectImmError(promise: Promise<unknown>, code: string): Promise<ImmError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ImmError ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImmError);
  expect((err as ImmError).code).toBe(code);
  return err as ImmError;
}

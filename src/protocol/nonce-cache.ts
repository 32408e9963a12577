/**
 * Replay protection. A nonce is remembered for `windowMs`; to close the replay window completely it
 * must be at least twice the allowed clock skew (a request dated `maxSkew` in the future stays
 * acceptable for `2 * maxSkew`).
 */
import { Errors } from './errors.ts';

export interface NonceStore {
  /** true if the nonce was new (and is now remembered) */
  remember(nonce: string, nowMs: number): Promise<boolean>;
}

/**
 * In-process store for a single server. Entries expire after `windowMs`; `maxEntries` bounds memory
 * (~150 bytes per 64-char nonce). When full of unexpired nonces it refuses new requests rather than
 * forgetting a nonce early, which would reopen a replay.
 */
export class MemoryNonceStore implements NonceStore {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 500_000,
  ) {}

  async remember(nonce: string, nowMs: number): Promise<boolean> {
    this.expire(nowMs);
    const expiry = this.expiries.get(nonce);
    if (expiry !== undefined && expiry > nowMs) return false;
    if (this.expiries.size >= this.maxEntries)
      throw Errors.unavailable('Too many requests in the replay window.');
    this.expiries.delete(nonce);
    this.expiries.set(nonce, nowMs + this.windowMs);
    return true;
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Map iteration is insertion order, and expiries grow with insertion time, so stop at the first live one. */
  private expire(nowMs: number): void {
    for (const [nonce, expiry] of this.expiries) {
      if (expiry > nowMs) break;
      this.expiries.delete(nonce);
    }
  }
}

/** A request dated `maxSkew` ahead stays acceptable until `maxSkew` after now: remember nonces that long. */
export function nonceWindowForSkew(maxSkewMs: number): number {
  return 2 * maxSkewMs;
}

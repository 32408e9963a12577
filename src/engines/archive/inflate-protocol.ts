/** Messages between the zip reader and its inflate threads (`inflate-worker.ts`). */

/**
 * Inflate the raw deflate bytes `slot[0, inLength)` into `slot[outOffset, outOffset + outCapacity)`.
 * The reply gives the output's length (`outCapacity` when it would not fit: more than the caller allows)
 * and its CRC-32.
 */
export interface InflateRequest {
  id: number;
  slot: SharedArrayBuffer;
  inLength: number;
  outOffset: number;
  outCapacity: number;
}

export type InflateReply = { id: number; length: number; crc: number } | { id: number; error: string };

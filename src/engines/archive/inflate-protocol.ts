/** Messages between the zip reader and its inflate threads (`inflate-worker.ts`). */

/**
 * Inflate the raw deflate bytes `slot[0, inLength)` into `slot[outOffset, outOffset + outCapacity)`.
 * The reply gives the output's length (`outCapacity` when it would not fit: more than the caller allows)
 * and its CRC-32.
 */
export interface InflateSlotRequest {
  id: number;
  op: 'slot';
  slot: SharedArrayBuffer;
  inLength: number;
  outOffset: number;
  outCapacity: number;
}

/**
 * Extract `length` bytes of the file `source` from `start`, raw deflate (`deflated`) or stored, into the
 * existing file `dest`, writing at most `maxOutput` bytes. The reply gives the bytes written and their CRC-32.
 * `job` names it for an abort.
 */
export interface InflateFileRequest {
  id: number;
  op: 'file';
  job: number;
  source: string;
  start: number;
  length: number;
  deflated: boolean;
  dest: string;
  maxOutput: number;
  /** One 64-bit integer: the bytes written so far, stored by the thread as it goes (for progress). */
  written: SharedArrayBuffer;
}

/** Stop the file extraction `job` (it replies with an error); replied to at once. */
export interface InflateAbortRequest {
  id: number;
  op: 'abort';
  job: number;
}

export type InflateRequest = InflateSlotRequest | InflateFileRequest | InflateAbortRequest;

export type InflateReply = { id: number; length: number; crc: number } | { id: number; error: string };

/**
 * The signed request time (`x-acs-date` for ACS3, `Timestamp` for RPC v1): UTC `YYYY-MM-DDThh:mm:ssZ`.
 * A fraction of a second is tolerated because some hand-written clients send `toISOString()`.
 */
import { Errors } from './errors.ts';

const FORMAT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

export function parseSignedTime(value: string | undefined): number {
  const m = value === undefined ? null : FORMAT.exec(value);
  if (!m) throw Errors.timestampFormat();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls over out-of-range fields (Feb 30 → Mar 2); a real timestamp round-trips.
  if (
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw Errors.timestampFormat();
  }
  return ms + (m[7] ? Math.round(Number(m[7]) * 1000) : 0);
}

export function assertFresh(signedMs: number, nowMs: number, maxSkewMs: number): void {
  if (Math.abs(nowMs - signedMs) > maxSkewMs) throw Errors.timestampExpired();
}

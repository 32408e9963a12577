import { timingSafeEqual } from 'node:crypto';

/** Compares two signatures without leaking where they differ (their length is public). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

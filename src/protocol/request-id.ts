import { randomUUID } from 'node:crypto';

/** IMM-style request id: an uppercase UUID (8-4-4-4-12 hex). */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

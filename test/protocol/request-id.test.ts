import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/protocol/request-id.ts';

describe('newRequestId', () => {
  it('is an uppercase 8-4-4-4-12 hex id, unique per call', () => {
    const ids = Array.from({ length: 1000 }, newRequestId);
    for (const id of ids)
      expect(id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

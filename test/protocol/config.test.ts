import { describe, expect, it } from 'vitest';
import { protocolConfigSchema } from '../../src/protocol/config.ts';

describe('protocolConfigSchema', () => {
  it('defaults the nonce bound and coerces values from the environment', () => {
    expect(protocolConfigSchema.parse({})).toEqual({ nonceMaxEntries: 500_000 });
    expect(protocolConfigSchema.parse({ nonceMaxEntries: '20000' })).toEqual({ nonceMaxEntries: 20_000 });
    expect(protocolConfigSchema.safeParse({ nonceMaxEntries: '10' }).success).toBe(false);
  });
});

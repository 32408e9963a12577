/**
 * The `protocol` section of the server config. The clock-skew limit itself is the server-wide
 * `maxSkewSeconds`; the nonce window is derived from it (see `nonceWindowForSkew`).
 */
import { z } from 'zod';

export const protocolConfigSchema = z.object({
  /**
   * Nonces remembered at most (about 150 bytes each). With the default 15-minute skew the window is
   * 30 minutes, so 500 000 sustains ~275 signed requests/s; beyond that requests get ServiceUnavailable.
   */
  nonceMaxEntries: z.coerce.number().int().min(1000).default(500_000),
});

export type ProtocolConfig = z.infer<typeof protocolConfigSchema>;

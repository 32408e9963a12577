/**
 * Builds the S3 client of one configured bucket. Checksums only when the operation requires them:
 * several S3-compatible servers (older MinIO, Ceph RGW, s3rver) reject the SDK's default CRC headers.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3BucketConfig } from '../config.ts';

export function createS3Client(cfg: S3BucketConfig): S3Client {
  return new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.signingRegion,
    forcePathStyle: cfg.forcePathStyle,
    credentials:
      cfg.accessKeyId && cfg.secretAccessKey
        ? {
            accessKeyId: cfg.accessKeyId,
            secretAccessKey: cfg.secretAccessKey,
            sessionToken: cfg.sessionToken,
          }
        : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

/**
 * The `storage` section of the server config: buckets (region + backend) and service roles per
 * account. Buckets not listed here but present as folders under `<dataDir>/oss/` are fs buckets of the
 * server's region (embedded mode), so an empty config is a working config.
 */
import { z } from 'zod';

const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'bucket names are 3-63 lowercase letters, digits or hyphens');

const commonBucket = {
  /** Region of the bucket; defaults to the server's region. */
  region: z.string().min(1).optional(),
  /** Account ids owning the bucket; `AliyunIMMDefaultRole` of other accounts cannot touch it. Absent = all. */
  owners: z.array(z.string().min(1)).optional(),
};

export const fsBucketSchema = z.object({
  ...commonBucket,
  backend: z.literal('fs'),
  /** The folder holding the objects; relative paths are taken from the data folder. */
  path: z.string().min(1),
});

export const s3BucketSchema = z.object({
  ...commonBucket,
  backend: z.literal('s3'),
  endpoint: z.string().url().optional(),
  /** The bucket's name on the S3 server (defaults to the openimm bucket name). */
  bucket: z.string().min(1).optional(),
  /** Signing region for the S3 server (defaults to `us-east-1`, which MinIO and s3rver accept). */
  signingRegion: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  sessionToken: z.string().min(1).optional(),
  forcePathStyle: z.boolean().default(false),
  /** Parts of multipart uploads, in MiB (S3's minimum is 5). */
  partSizeMiB: z.number().int().min(5).max(5120).default(8),
  /**
   * Parts uploaded at once per write; each holds a part in memory. 3 × 8 MiB keeps a 1 GiB copy under
   * 200 MB peak RSS (bench/storage.ts).
   */
  queueSize: z.number().int().min(1).max(32).default(3),
});

export const bucketConfigSchema = z.discriminatedUnion('backend', [fsBucketSchema, s3BucketSchema]);

export const policyStatementSchema = z.object({
  effect: z.enum(['allow', 'deny']).default('allow'),
  /** `read` covers HEAD, GET and list; `write` covers PUT and delete; `*` both. */
  actions: z.array(z.enum(['read', 'write', '*'])).min(1),
  /** `oss://bucket/prefix*` patterns; `*` matches any run of characters (also `/`). */
  resources: z.array(z.string().min(1)).min(1),
});

export const roleConfigSchema = z.object({
  statements: z.array(policyStatementSchema).default([]),
  /** Other accounts that may assume this role through a CredentialConfig chain. */
  trustedAccounts: z.array(z.string().min(1)).default([]),
});

export const storageConfigSchema = z.object({
  buckets: z.record(bucketName, bucketConfigSchema).default({}),
  /** `{ "<accountId or *>": { "<RoleName>": role } }`; `*` roles exist for every account. */
  roles: z.record(z.string().min(1), z.record(z.string().min(1), roleConfigSchema)).default({}),
  /**
   * Serve every folder under `<dataDir>/oss/` as an fs bucket of the server's region, and let
   * `ensureBucket` create new ones. Off when only configured buckets may be used.
   */
  embeddedBuckets: z
    .preprocess((v) => {
      // OPENIMM_STORAGE_EMBEDDED_BUCKETS arrives as text.
      if (typeof v !== 'string') return v;
      const t = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return v;
    }, z.boolean())
    .default(true),
});

export type StorageConfig = z.infer<typeof storageConfigSchema>;
/** The config as written in the file (defaults not yet applied). */
export type StorageConfigInput = z.input<typeof storageConfigSchema>;
export type BucketConfig = z.infer<typeof bucketConfigSchema>;
export type FsBucketConfig = z.infer<typeof fsBucketSchema>;
export type S3BucketConfig = z.infer<typeof s3BucketSchema>;
export type RoleConfig = z.infer<typeof roleConfigSchema>;
export type PolicyStatement = z.infer<typeof policyStatementSchema>;

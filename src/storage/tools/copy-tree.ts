/**
 * Recursive copies: every object under an OSS prefix, or every file under a local folder. Keys that
 * could not be a safe local path (`..` segments and the like, possible on S3) are skipped and reported.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../backend.ts';
import { formatOssUri, keyProblem } from '../oss-uri.ts';
import type { StorageRegistry } from '../registry.ts';
import { type CopyOptions, type CopyResult, copyOne } from './copy.ts';
import { backendOf, type Endpoint } from './endpoints.ts';

export interface TreeCopyOptions extends CopyOptions {
  onCopied?: (result: CopyResult) => void;
  onSkipped?: (source: string, reason: string) => void;
}

const asPrefix = (key: string) => (key === '' || key.endsWith('/') ? key : `${key}/`);

export async function copyTree(
  registry: StorageRegistry,
  src: Endpoint,
  dst: Endpoint,
  opts: TreeCopyOptions = {},
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const pair of planTree(registry, src, dst, opts.onSkipped)) {
    opts.signal?.throwIfAborted();
    const result = await copyOne(registry, pair.src, pair.dst, opts);
    files += 1;
    bytes += result.bytes;
    opts.onCopied?.(result);
  }
  return { files, bytes };
}

async function* planTree(
  registry: StorageRegistry,
  src: Endpoint,
  dst: Endpoint,
  onSkipped?: (source: string, reason: string) => void,
): AsyncGenerator<{ src: Endpoint; dst: Endpoint }> {
  if (src.kind === 'local') {
    if (dst.kind !== 'oss') throw new StorageError('One side of a copy must be an OSS URI.');
    const prefix = asPrefix(dst.key);
    for await (const rel of walkLocal(src.path, '')) {
      const key = prefix + rel;
      const problem = keyProblem(key);
      if (problem) {
        onSkipped?.(path.join(src.path, rel), problem);
        continue;
      }
      yield {
        src: { kind: 'local', path: path.join(src.path, rel) },
        dst: { ...dst, key, uri: formatOssUri(dst.bucket, key) },
      };
    }
    return;
  }
  const prefix = asPrefix(src.key);
  const backend = await backendOf(registry, src.bucket);
  for await (const info of backend.list(prefix)) {
    const rel = info.key.slice(prefix.length);
    const from: Endpoint = {
      kind: 'oss',
      bucket: src.bucket,
      key: info.key,
      uri: formatOssUri(src.bucket, info.key),
    };
    const problem = rel === '' || rel.endsWith('/') ? 'a folder marker' : keyProblem(rel);
    if (problem) {
      onSkipped?.(from.uri, problem);
      continue;
    }
    if (dst.kind === 'oss') {
      const key = asPrefix(dst.key) + rel;
      yield { src: from, dst: { ...dst, key, uri: formatOssUri(dst.bucket, key) } };
    } else {
      yield { src: from, dst: { kind: 'local', path: path.join(dst.path, ...rel.split('/')) } };
    }
  }
}

/** Relative POSIX paths of the files under `root`, in name order; symlinks are not followed. */
async function* walkLocal(root: string, rel: string): AsyncGenerator<string> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walkLocal(root, child);
    else if (e.isFile()) yield child;
  }
}

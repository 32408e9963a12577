/**
 * `openimm oss cp|ls|cat|rm`: object storage by OSS URI over every configured backend, as the
 * operator (no service-role checks). Data streams through; nothing is held in memory whole.
 */
import type { Command } from 'commander';
import { ImmError } from '../protocol/errors.ts';
import { StorageError } from '../storage/backend.ts';
import { formatOssUri } from '../storage/oss-uri.ts';
import type { StorageRegistry } from '../storage/registry.ts';
import { copyOne } from '../storage/tools/copy.ts';
import { copyTree } from '../storage/tools/copy-tree.ts';
import { backendOf, type Endpoint, parseEndpoint } from '../storage/tools/endpoints.ts';
import { createProgressLine } from '../storage/tools/progress-line.ts';

type GetRegistry = () => Promise<StorageRegistry>;

export function registerOssCommands(program: Command, getRegistry: GetRegistry): void {
  const oss = program.command('oss').description('copy, list, print and remove objects (oss://bucket/key)');

  oss
    .command('cp <source> <destination>')
    .description('copy local→oss, oss→local or oss→oss (a trailing "/" on the destination keeps the name)')
    .option('-r, --recursive', 'copy everything under a prefix or folder')
    .option('-q, --quiet', 'no progress line')
    .action((source: string, destination: string, flags: { recursive?: boolean; quiet?: boolean }) =>
      run(getRegistry, (registry) => cp(registry, parseEndpoint(source), parseEndpoint(destination), flags)),
    );

  oss
    .command('ls [prefix]')
    .description('list buckets, or the objects and folders under oss://bucket/prefix')
    .option('-r, --recursive', 'list every object under the prefix, no folders')
    .action((prefix: string | undefined, flags: { recursive?: boolean }) =>
      run(getRegistry, (registry) =>
        prefix ? ls(registry, prefix, flags.recursive ?? false) : lsBuckets(registry),
      ),
    );

  oss
    .command('cat <uri>')
    .description('write an object to standard output')
    .action((uri: string) => run(getRegistry, (registry) => cat(registry, uri)));

  oss
    .command('rm <uri>')
    .description('remove an object (or, with --recursive, everything under a prefix)')
    .option('-r, --recursive', 'remove every object under the prefix')
    .action((uri: string, flags: { recursive?: boolean }) =>
      run(getRegistry, (registry) => rm(registry, uri, flags.recursive ?? false)),
    );
}

/** Runs one command and turns storage and argument errors into a message and exit code 1. */
async function run(
  getRegistry: GetRegistry,
  fn: (registry: StorageRegistry) => Promise<void>,
): Promise<void> {
  const registry = await getRegistry();
  try {
    await fn(registry);
  } catch (err) {
    if (err instanceof ImmError || err instanceof StorageError || isFsError(err)) {
      process.stderr.write(`openimm oss: ${(err as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await registry.close();
  }
}

const isFsError = (err: unknown) =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'string';

async function cp(
  registry: StorageRegistry,
  src: Endpoint,
  dst: Endpoint,
  flags: { recursive?: boolean; quiet?: boolean },
) {
  if (flags.recursive) {
    const total = await copyTree(registry, src, dst, {
      onCopied: (r) => process.stdout.write(`${r.destination}\n`),
      onSkipped: (from, reason) => process.stderr.write(`skipped ${from}: ${reason}\n`),
    });
    process.stderr.write(`${total.files} objects, ${total.bytes} bytes\n`);
    return;
  }
  const label = src.kind === 'oss' ? src.uri : src.path;
  const progress = flags.quiet ? undefined : createProgressLine(label, process.stderr);
  const result = await copyOne(registry, src, dst, { onProgress: progress?.update });
  progress?.finish();
  process.stdout.write(`${result.destination}\n`);
}

async function lsBuckets(registry: StorageRegistry) {
  for (const b of await registry.listBuckets()) {
    process.stdout.write(`${b.backend.kind.padEnd(3)}  ${b.region.padEnd(16)}  oss://${b.name}/\n`);
  }
}

async function ls(registry: StorageRegistry, prefixUri: string, recursive: boolean) {
  const src = parseEndpoint(prefixUri);
  if (src.kind !== 'oss') throw new StorageError('ls takes an OSS URI.');
  const backend = await backendOf(registry, src.bucket);
  let lastFolder = '';
  for await (const info of backend.list(src.key)) {
    const rest = info.key.slice(src.key.length);
    const slash = recursive ? -1 : rest.indexOf('/');
    if (slash >= 0) {
      // Keys come in order, so one folder's keys are contiguous: print it once.
      const folder = src.key + rest.slice(0, slash + 1);
      if (folder !== lastFolder)
        process.stdout.write(
          `${'DIR'.padStart(12)}  ${''.padEnd(24)}  ${formatOssUri(src.bucket, folder)}\n`,
        );
      lastFolder = folder;
      continue;
    }
    const uri = formatOssUri(src.bucket, info.key);
    process.stdout.write(`${String(info.size).padStart(12)}  ${info.lastModified.toISOString()}  ${uri}\n`);
  }
}

async function cat(registry: StorageRegistry, uri: string) {
  const src = parseEndpoint(uri);
  if (src.kind !== 'oss') throw new StorageError('cat takes an OSS URI.');
  const backend = await backendOf(registry, src.bucket);
  const stream = await backend.read(src.key);
  for await (const chunk of stream) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

async function rm(registry: StorageRegistry, uri: string, recursive: boolean) {
  const src = parseEndpoint(uri);
  if (src.kind !== 'oss') throw new StorageError('rm takes an OSS URI.');
  const backend = await backendOf(registry, src.bucket);
  if (!recursive) {
    if (!(await backend.head(src.key))) throw new StorageError(`File does not exist. ${uri}`);
    await backend.delete(src.key);
    return;
  }
  const prefix = src.key === '' || src.key.endsWith('/') ? src.key : `${src.key}/`;
  // In batches: deleting while a filesystem listing walks the same folders would skip entries, and
  // collecting every key first would grow with the prefix.
  let startAfter: string | undefined;
  for (;;) {
    const batch: string[] = [];
    for await (const info of backend.list(prefix, { startAfter })) {
      batch.push(info.key);
      if (batch.length === 1000) break;
    }
    if (batch.length === 0) return;
    for (const key of batch) {
      await backend.delete(key);
      process.stdout.write(`removed ${formatOssUri(src.bucket, key)}\n`);
    }
    startAfter = batch[batch.length - 1];
  }
}

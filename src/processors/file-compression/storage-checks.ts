/**
 * Create-time storage checks shared by the archive processors (spec section 11): an unknown bucket is
 * InvalidArgument naming it, a service role that may not read or write is 403 NoPermission, a missing
 * object is InvalidArgument `File does not exist.`.
 */
import { Errors } from '../../protocol/errors.ts';
import { AccessDeniedError } from '../../storage/backend.ts';
import type { ScopedObjectInfo, ScopedStorage } from '../../storage/scoped-storage.ts';

export function checkBucket(storage: ScopedStorage, bucket: string, paramName: string): void {
  if (!storage.hasBucket(bucket)) {
    throw Errors.invalidParameter(paramName, `The bucket ${bucket} does not exist in this region.`);
  }
}

export function checkReadable(storage: ScopedStorage, bucket: string, uri: string, paramName: string): void {
  checkBucket(storage, bucket, paramName);
  if (!storage.canRead(uri)) {
    throw Errors.noPermission(`The service role ${storage.role} is not allowed to read ${uri}.`);
  }
}

export function checkWritable(storage: ScopedStorage, bucket: string, uri: string, paramName: string): void {
  checkBucket(storage, bucket, paramName);
  if (!storage.canWrite(uri)) {
    throw Errors.noPermission(`The service role ${storage.role} is not allowed to write ${uri}.`);
  }
}

/** HEAD of an object that must exist; maps a storage denial to NoPermission. */
export async function headExisting(storage: ScopedStorage, uri: string): Promise<ScopedObjectInfo> {
  let info: ScopedObjectInfo | null;
  try {
    info = await storage.head(uri);
  } catch (err) {
    if (err instanceof AccessDeniedError) throw Errors.noPermission(err.message);
    throw err;
  }
  if (!info) throw Errors.invalidArgument(`File does not exist. ${uri}`);
  return info;
}

/** `oss://bucket/key` with a key that does not end in `/`: a prefix that may also be an object's key. */
function namesObject(uri: string): boolean {
  const slash = uri.indexOf('/', 'oss://'.length);
  return slash > 0 && slash < uri.length - 1 && !uri.endsWith('/');
}

/**
 * True when at least one object lives under the prefix. A prefix that names an object is the usual case
 * (`oss://bucket/file.txt` as a prefix source): one HEAD answers it, where a listing reads the whole folder
 * on the fs backend.
 */
export async function prefixHasObjects(storage: ScopedStorage, prefixUri: string): Promise<boolean> {
  try {
    if (namesObject(prefixUri) && (await storage.head(prefixUri))) return true;
    for await (const _ of storage.list(prefixUri)) return true;
  } catch (err) {
    if (err instanceof AccessDeniedError) throw Errors.noPermission(err.message);
    throw err;
  }
  return false;
}

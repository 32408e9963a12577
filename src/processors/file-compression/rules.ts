/**
 * Packing rules from `Sources` or from the manifest, checked and normalised: the same checks run at
 * create time (Sources) and while reading the manifest (each item), with the item named in the message.
 */
import type { Readable } from 'node:stream';
import { Errors, ImmError } from '../../protocol/errors.ts';
import { parseOssObjectUri, parseOssUri } from '../../storage/oss-uri.ts';
import { TaskErrors } from '../task-error.ts';
import { aliasProblem, type SourceMode } from './alias.ts';
import { ManifestSyntaxError, readManifestItems } from './manifest.ts';
import { MAX_MANIFEST_RULES, type SourceRuleParam, sourceRuleSchema } from './params.ts';

export interface SourceRule {
  uri: string;
  bucket: string;
  key: string;
  mode: SourceMode;
  alias?: string;
}

/** Checks one rule; throws ImmError InvalidArgument naming `label` (e.g. `Sources[2]`). */
export function toRule(item: SourceRuleParam, label: string): SourceRule {
  const mode = item.Mode ?? 'prefix';
  const loc =
    mode === 'fullname' ? parseOssObjectUri(item.URI, `${label}.URI`) : parseOssUri(item.URI, `${label}.URI`);
  if (item.Alias !== undefined && item.Alias !== '') {
    const problem = aliasProblem(item.Alias);
    if (problem) throw Errors.invalidParameter(`${label}.Alias`, problem);
  }
  return { uri: item.URI, bucket: loc.bucket, key: loc.key, mode, alias: item.Alias || undefined };
}

/** Rules of a manifest body, one at a time; bad items fail the task with InvalidArgument. */
export async function* manifestRules(body: Readable, manifestUri: string): AsyncGenerator<SourceRule> {
  let index = 0;
  try {
    for await (const raw of readManifestItems(body)) {
      index++;
      if (index > MAX_MANIFEST_RULES) {
        throw TaskErrors.limitExceeded(`The manifest holds more than ${MAX_MANIFEST_RULES} rules.`);
      }
      const parsed = sourceRuleSchema.safeParse(raw);
      const label = `SourceManifestURI item ${index}`;
      if (!parsed.success) {
        throw TaskErrors.invalidArgument(`${label} is not valid: expected {"URI", "Alias", "Mode"}.`);
      }
      yield toRule(parsed.data, label);
    }
  } catch (err) {
    if (err instanceof ManifestSyntaxError) {
      throw TaskErrors.invalidArgument(`The manifest ${manifestUri} is not valid: ${err.message}`);
    }
    if (err instanceof ImmError) throw TaskErrors.invalidArgument(err.message);
    throw err;
  }
  if (index === 0) throw TaskErrors.invalidArgument(`The manifest ${manifestUri} holds no rules.`);
}

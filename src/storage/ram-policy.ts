/**
 * Session policies in Alibaba Cloud RAM syntax (the `Policy` string of a CredentialConfig), mapped
 * onto openimm's read/write model. What cannot be evaluated faithfully (conditions, non-OSS resources
 * alone) is refused rather than silently widened.
 */
import { Errors } from '../protocol/errors.ts';
import { compilePolicy, type Policy } from './policy.ts';

type Access = 'read' | 'write';

const READ_ACTIONS = new Set(['oss:getobject', 'oss:headobject', 'oss:listobjects', 'oss:getobjectmeta']);
const WRITE_ACTIONS = new Set([
  'oss:putobject',
  'oss:deleteobject',
  'oss:abortmultipartupload',
  'oss:initiatemultipartupload',
  'oss:uploadpart',
  'oss:completemultipartupload',
]);

interface RamStatement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

function accessOf(action: string): Access[] {
  const a = action.toLowerCase();
  if (a === '*' || a === 'oss:*') return ['read', 'write'];
  if (READ_ACTIONS.has(a) || a === 'oss:get*' || a === 'oss:list*') return ['read'];
  if (WRITE_ACTIONS.has(a) || a === 'oss:put*' || a === 'oss:delete*') return ['write'];
  return [];
}

/** `acs:oss:<region>:<account>:<bucket>/<key pattern>` → `oss://<bucket>/<key pattern>`. */
function resourceOf(resource: string): string | null {
  if (resource === '*') return 'oss://*';
  const m = /^acs:oss:[^:]*:[^:]*:(.+)$/.exec(resource);
  if (!m) return null;
  const rest = m[1];
  // A bucket-level resource (for ListObjects) covers the bucket's objects.
  return rest.includes('/') ? `oss://${rest}` : `oss://${rest}/*`;
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];

export function parseRamPolicy(text: string, paramName = 'CredentialConfig.Policy'): Policy {
  const fail = (detail: string) => Errors.invalidParameter(paramName, detail);
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail('The policy is not valid JSON.');
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.Statement))
    throw fail('The policy has no Statement list.');
  const statements = (doc.Statement as RamStatement[]).map((s, i) => {
    if (s.Condition !== undefined) throw fail(`Statement ${i + 1}: conditions are not supported by openimm.`);
    const effect = String(s.Effect ?? '').toLowerCase();
    if (effect !== 'allow' && effect !== 'deny')
      throw fail(`Statement ${i + 1}: Effect must be Allow or Deny.`);
    const access = [...new Set(asList(s.Action).flatMap(accessOf))];
    const resources = asList(s.Resource)
      .map(resourceOf)
      .filter((r): r is string => r !== null);
    return { effect: effect as 'allow' | 'deny', actions: access, resources };
  });
  // Statements about other services (or unknown OSS actions) grant nothing here, which is their meaning for storage.
  return compilePolicy(statements.filter((s) => s.actions.length > 0 && s.resources.length > 0));
}

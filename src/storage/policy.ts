/**
 * Service-role policies: allow/deny statements over `oss://bucket/key` patterns. Deny wins over allow,
 * and nothing is allowed unless a statement says so. `read` covers HEAD, GET and list; `write` covers
 * PUT and delete.
 */
import type { PolicyStatement } from './config.ts';
import { formatOssUri } from './oss-uri.ts';

export type AccessKind = 'read' | 'write';

export interface Policy {
  allows(access: AccessKind, bucket: string, key: string): boolean;
}

interface CompiledStatement {
  effect: 'allow' | 'deny';
  read: boolean;
  write: boolean;
  patterns: RegExp[];
}

export const allowAllPolicy: Policy = { allows: () => true };
export const denyAllPolicy: Policy = { allows: () => false };

/** `*` matches any run of characters, `/` included; everything else is literal. */
export function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

export function compilePolicy(
  statements: Array<Pick<PolicyStatement, 'actions' | 'resources'> & { effect?: 'allow' | 'deny' }>,
): Policy {
  const compiled: CompiledStatement[] = statements.map((s) => ({
    effect: s.effect ?? 'allow',
    read: s.actions.includes('read') || s.actions.includes('*'),
    write: s.actions.includes('write') || s.actions.includes('*'),
    patterns: s.resources.map(patternToRegExp),
  }));
  return {
    allows(access, bucket, key) {
      const uri = formatOssUri(bucket, key);
      let allowed = false;
      for (const s of compiled) {
        if (!s[access] || !s.patterns.some((re) => re.test(uri))) continue;
        if (s.effect === 'deny') return false;
        allowed = true;
      }
      return allowed;
    },
  };
}

/** Both policies must allow (a CredentialConfig session policy narrows the role's own). */
export function intersectPolicies(a: Policy, b: Policy): Policy {
  return { allows: (access, bucket, key) => a.allows(access, bucket, key) && b.allows(access, bucket, key) };
}

import { redactNotificationParam } from '../../../notify/redact.ts';

/** Fields never returned in TaskRequestDefinition, whatever the task type. */
const ALWAYS_SECRET = new Set(['Password', 'AccessKeySecret', 'SecurityToken', 'Secret']);

/**
 * TaskRequestDefinition: the request's parameters as a JSON string (PascalCase, JSON-in-param values decoded),
 * without secrets, at any depth (e.g. a webhook target's Secret inside Notification).
 */
export function taskDefinition(params: Record<string, unknown>, secretFields: string[] = []): string {
  const secret = new Set([...ALWAYS_SECRET, ...secretFields]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (secret.has(k)) continue;
    // Notification may name sink URLs with credentials: those are masked, not only Secret fields.
    const value = k === 'Notification' ? redactNotificationParam(decodeJson(v)) : decodeJson(v);
    out[k] = redact(value, secret);
  }
  return JSON.stringify(out);
}

function decodeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

function redact(v: unknown, secret: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => redact(x, secret));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!secret.has(k)) out[k] = redact(x, secret);
    return out;
  }
  return v;
}

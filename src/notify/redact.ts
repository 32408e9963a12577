/**
 * The `Notification` parameter as it may be shown back (TaskRequestDefinition, logs): webhook secrets
 * masked and credentials removed from sink URLs. Anything unparsable is returned unchanged (it never
 * passed create-time validation, so it was never stored).
 */

const MASK = '******';

function stripCredentials(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url;
  }
}

/** Accepts the wire value (JSON string) or the parsed object; returns the same form. */
export function redactNotificationParam(value: unknown): unknown {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return value;
  const out: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  for (const key of ['Webhook', 'AMQP', 'NATS', 'MQTT']) {
    const sink = out[key];
    if (typeof sink !== 'object' || sink === null || Array.isArray(sink)) continue;
    const copy: Record<string, unknown> = { ...(sink as Record<string, unknown>) };
    if ('URL' in copy) copy.URL = stripCredentials(copy.URL);
    if ('Secret' in copy && copy.Secret) copy.Secret = MASK;
    out[key] = copy;
  }
  return typeof value === 'string' ? JSON.stringify(out) : out;
}

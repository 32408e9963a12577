/**
 * `host[:port]` patterns deciding which hosts a request may make the server connect to. A pattern is
 * `host` (any port), `host:port`, `*.domain` (any subdomain, not the domain itself), `*` (any host),
 * or an IPv6 literal in brackets (`[::1]:8080`); `:*` means any port.
 */

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'amqp:': 5672,
  'amqps:': 5671,
  'nats:': 4222,
  'tls:': 4222,
  'mqtt:': 1883,
  'mqtts:': 8883,
  'ws:': 80,
  'wss:': 443,
};

interface HostPattern {
  host: string;
  port?: number;
}

function parsePattern(pattern: string): HostPattern {
  const p = pattern.trim().toLowerCase();
  if (p.startsWith('[')) {
    const end = p.indexOf(']');
    const host = p.slice(0, end + 1);
    const rest = p.slice(end + 1);
    return { host, port: rest.startsWith(':') ? portOf(rest.slice(1)) : undefined };
  }
  const colon = p.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon < 0 || p.indexOf(':') !== colon) return { host: p.includes(':') ? `[${p}]` : p };
  return { host: p.slice(0, colon), port: portOf(p.slice(colon + 1)) };
}

function portOf(text: string): number | undefined {
  if (text === '*' || text === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : -1;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** The host and effective port a URL connects to (default port of its scheme when absent). */
export function urlEndpoint(url: URL): { host: string; port: number } {
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
  return { host: url.hostname.toLowerCase(), port };
}

export function isHostAllowed(patterns: readonly string[], url: URL): boolean {
  const { host, port } = urlEndpoint(url);
  return patterns.some((raw) => {
    const p = parsePattern(raw);
    return hostMatches(p.host, host) && (p.port === undefined || p.port === port);
  });
}

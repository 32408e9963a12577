/**
 * The routing table: an MNS or RocketMQ target named in a request (the only kinds official SDKs can
 * send) goes to the configured sinks of the first matching route, to the real service, or both.
 */
import { Errors } from '../protocol/errors.ts';
import { isHostAllowed } from './allow-hosts.ts';
import type { NotifyConfig, NotifyRoute } from './config.ts';
import type { NotificationTarget } from './target-types.ts';

export interface ServiceRequest {
  source: 'mns' | 'rocketmq';
  topicName: string;
  endpoint?: string;
  instanceId?: string;
  /** The request parameter it came from, for error messages. */
  param: string;
}

/** `https://Host:1/` → `host:1`; a bare host is taken as is. */
export function endpointKey(endpoint: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  try {
    return new URL(withScheme).host.toLowerCase();
  } catch {
    return endpoint.toLowerCase();
  }
}

function matches(route: NotifyRoute, req: ServiceRequest): boolean {
  if (route.source !== req.source) return false;
  if (route.topicName !== '*' && route.topicName !== req.topicName) return false;
  if (route.endpoint && (!req.endpoint || endpointKey(route.endpoint) !== endpointKey(req.endpoint)))
    return false;
  if (route.instanceId && route.instanceId !== req.instanceId) return false;
  return true;
}

/** The real-service target, or null when this server cannot deliver to the real service. */
function serviceTarget(req: ServiceRequest, cfg: NotifyConfig): NotificationTarget | null {
  const creds = req.source === 'mns' ? cfg.mns : cfg.rocketmq;
  if (!creds) return null;
  let endpoint = creds.endpoint;
  if (req.endpoint) {
    const url = parseEndpoint(req.endpoint, `${req.param}.Endpoint`);
    if (!isHostAllowed([...creds.endpointHosts, ...cfg.allowHosts], url)) {
      throw Errors.invalidArgument(
        `Specified parameter ${req.param}.Endpoint is not valid. The host ${url.host} is not an endpoint this server delivers to.`,
      );
    }
    endpoint = url.href.replace(/\/$/, '');
  }
  if (!endpoint) return null;
  if (req.source === 'mns') return { kind: 'mns', endpoint, topicName: req.topicName };
  return { kind: 'rocketmq', endpoint, topicName: req.topicName, instanceId: req.instanceId ?? '' };
}

function parseEndpoint(endpoint: string, name: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the error below
  }
  throw Errors.invalidParameter(name, 'Expected an http(s) endpoint.');
}

function unroutable(req: ServiceRequest, cfg: NotifyConfig): NotificationTarget[] {
  if (cfg.unrouted === 'drop') return [];
  const service = req.source === 'mns' ? 'MNS' : 'RocketMQ';
  throw Errors.invalidArgument(
    `Specified parameter ${req.param} is not valid. This server has no route for the ${service} topic ` +
      `"${req.topicName}" and cannot deliver to ${service} itself.`,
  );
}

/** Applies the routing table to one requested MNS/RocketMQ target. */
export function routeServiceTarget(req: ServiceRequest, cfg: NotifyConfig): NotificationTarget[] {
  const route = cfg.routes.find((r) => matches(r, req));
  if (!route) {
    const real = serviceTarget(req, cfg);
    return real ? [real] : unroutable(req, cfg);
  }
  const out: NotificationTarget[] = route.sinks.map((sink) => ({
    kind: 'sink' as const,
    sink,
    topicName: req.topicName,
    ...(req.instanceId ? { instanceId: req.instanceId } : {}),
  }));
  if (route.passThrough) {
    const real = serviceTarget(req, cfg);
    if (real) out.push(real);
    else unroutable(req, cfg);
  }
  return out;
}

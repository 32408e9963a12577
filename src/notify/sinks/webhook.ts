/**
 * Webhook sink: POST of the message JSON. Signed with `X-Openimm-Signature: sha256=<hex HMAC-SHA256 of
 * the body>` when the target has a Secret; redirects are not followed (a redirect could point anywhere,
 * past the allow-list); connections are kept alive by fetch's pool.
 */
import { createHmac } from 'node:crypto';
import type { SinkSpec } from '../config.ts';
import { type NotificationSink, type OutgoingMessage, PermanentDeliveryError } from './types.ts';

type WebhookSpec = Extract<SinkSpec, { kind: 'webhook' }>;

export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Retrying cannot change these answers; everything else (5xx, 429, other 4xx, network) is retried. */
function isPermanent(status: number): boolean {
  return (
    (status >= 300 && status < 400) || status === 410 || status === 413 || status === 414 || status === 415
  );
}

export function createWebhookSink(): NotificationSink<WebhookSpec> {
  return {
    kind: 'webhook',
    async publish(target, message: OutgoingMessage, signal) {
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'openimm-notify',
        'x-openimm-message-id': message.messageId,
        'x-openimm-task-id': message.taskId,
        'x-openimm-delivery-attempt': String(message.attempt),
      };
      if (target.secret) headers['x-openimm-signature'] = webhookSignature(target.secret, message.body);
      const res = await fetch(target.url, {
        method: 'POST',
        body: message.body,
        headers,
        redirect: 'manual',
        signal,
      });
      // Free the connection for reuse; the receiver's answer body is not needed.
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return;
      const detail = `webhook answered HTTP ${res.status}`;
      if (isPermanent(res.status)) throw new PermanentDeliveryError(`${detail} (not retried)`);
      throw new Error(detail);
    },
    async close() {},
  };
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/types.ts';
import { parseNotifyConfig } from '../../../src/notify/config.ts';
import { listDeadLetters, redriveDeadLetters } from '../../../src/notify/dead-letters.ts';
import { type DispatcherHandle, startDispatcher } from '../../../src/notify/dispatcher.ts';
import { webhookSignature } from '../../../src/notify/sinks/webhook.ts';
import { finishTask } from '../helpers/complete.ts';
import { outboxRows, quietLog, resetTables, waitFor } from '../helpers/db.ts';
import { type Receiver, startReceiver } from '../helpers/http-receiver.ts';

const cfg = parseNotifyConfig({
  sinks: { gone: { kind: 'webhook', url: 'http://127.0.0.1:9/' } },
  retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 80 },
  dispatcher: { publishTimeoutMs: 3_000, pollIntervalMs: 200, leaseMs: 10_000 },
});

export function dispatcherSuite(getDb: () => Db): void {
  describe('dispatcher with webhooks', () => {
    const t = {
      get db() {
        return getDb();
      },
    };
    let rx: Receiver;
    let dispatcher: DispatcherHandle | undefined;

    beforeEach(async () => {
      await resetTables(t.db);
      rx = await startReceiver();
    });
    afterEach(async () => {
      await dispatcher?.stop();
      dispatcher = undefined;
      await rx.close();
    });

    it('delivers the exact body, signed, with the stable id, and removes the row', async () => {
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      const { task, body } = await finishTask(t.db, [{ kind: 'webhook', url: rx.url, secret: 'top-secret' }]);
      await waitFor(() => rx.received.length === 1);
      const got = rx.received[0]!;
      expect(got.method).toBe('POST');
      expect(got.body).toBe(body);
      expect(got.headers['content-type']).toContain('application/json');
      expect(got.headers['x-openimm-signature']).toBe(webhookSignature('top-secret', body));
      expect(got.headers['x-openimm-message-id']).toBe(task.eventId);
      expect(JSON.parse(got.body).id).toBe(task.eventId);
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
      expect(dispatcher.stats().delivered).toBe(1);
    });

    it('sends no signature header without a secret', async () => {
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      await finishTask(t.db, [{ kind: 'webhook', url: rx.url }]);
      await waitFor(() => rx.received.length === 1);
      expect(rx.received[0]!.headers['x-openimm-signature']).toBeUndefined();
    });

    it('retries transient failures with backoff and the same message id, then delivers', async () => {
      rx.respond = (_r, i) => (i < 2 ? 503 : 200);
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      const { body } = await finishTask(t.db, [{ kind: 'webhook', url: rx.url }]);
      await waitFor(() => rx.received.length === 3);
      expect(new Set(rx.received.map((r) => r.body))).toEqual(new Set([body]));
      expect(rx.received.map((r) => r.headers['x-openimm-delivery-attempt'])).toEqual(['1', '2', '3']);
      // Backoff: each retry waits at least half its exponential base (20 ms, then 40 ms).
      expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(9);
      expect(rx.received[2]!.at - rx.received[1]!.at).toBeGreaterThanOrEqual(19);
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
      expect(dispatcher.stats()).toMatchObject({ delivered: 1, retried: 2, deadLettered: 0 });
    });

    it('dead-letters after the last try, lists it for its account only, and redrive delivers it', async () => {
      rx.respond = () => 500;
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      const { task, body } = await finishTask(t.db, [{ kind: 'webhook', url: rx.url, secret: 'k' }]);
      await waitFor(async () => (await outboxRows(t.db))[0]?.state === 'dead');
      expect(rx.received).toHaveLength(3);
      const { items } = await listDeadLetters(t.db, task.accountId);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        TaskId: task.id,
        MessageId: task.eventId,
        Attempts: 3,
        LastError: 'webhook answered HTTP 500',
        Target: `webhook ${rx.url}`,
      });
      expect(JSON.stringify(items)).not.toContain('"k"');
      expect((await listDeadLetters(t.db, 'another-account')).items).toHaveLength(0);
      expect(await redriveDeadLetters(t.db, 'another-account')).toBe(0);

      rx.respond = () => 200;
      expect(await redriveDeadLetters(t.db, task.accountId, { ids: [items[0]!.Id] })).toBe(1);
      await waitFor(() => rx.received.length === 4);
      expect(rx.received[3]!.body).toBe(body);
      expect(rx.received[3]!.headers['x-openimm-delivery-attempt']).toBe('1');
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
    });

    it('dead-letters at once on a redirect (not followed) or a sink missing from the config', async () => {
      rx.respond = () => 302;
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      await finishTask(t.db, [{ kind: 'webhook', url: rx.url }]);
      await finishTask(t.db, [{ kind: 'sink', sink: 'removed-since' }]);
      await waitFor(async () => (await outboxRows(t.db)).every((r) => r.state === 'dead'));
      expect(rx.received).toHaveLength(1);
      const errors = (await outboxRows(t.db)).map((r) => r.last_error).sort();
      expect(errors[0]).toContain('the configured sink "removed-since" no longer exists');
      expect(errors[1]).toContain('HTTP 302');
      expect((await outboxRows(t.db)).map((r) => r.attempts)).toEqual([1, 1]);
    });

    it('times out a receiver that never answers and retries', async () => {
      rx.respond = (_r, i) => (i === 0 ? new Promise((r) => setTimeout(() => r(200), 3_000)) : 200);
      const quick = parseNotifyConfig({ ...cfg, dispatcher: { ...cfg.dispatcher, publishTimeoutMs: 1_000 } });
      dispatcher = startDispatcher(t.db, quick, quietLog);
      await finishTask(t.db, [{ kind: 'webhook', url: rx.url }]);
      await waitFor(() => rx.received.length >= 2);
      // Retried after the 1 s timeout (receipt times lag the send a little), not after the 3 s answer.
      const gap = rx.received[1]!.at - rx.received[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(700);
      expect(gap).toBeLessThan(2_900);
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
      expect(dispatcher.stats().retried).toBeGreaterThanOrEqual(1);
      expect(dispatcher.stats().delivered).toBe(1);
    });

    it('delivers rows committed while it was stopped when it starts (at-least-once across restarts)', async () => {
      const done = await Promise.all(
        [1, 2, 3].map(() => finishTask(t.db, [{ kind: 'webhook', url: rx.url }])),
      );
      expect(rx.received).toHaveLength(0);
      dispatcher = startDispatcher(t.db, cfg, quietLog);
      await waitFor(() => rx.received.length === 3);
      expect(new Set(rx.received.map((r) => r.body))).toEqual(new Set(done.map((d) => d.body)));
    });
  });
}

import type { SinkSpec } from '../config.ts';

/** One message on its way to one target. */
export interface OutgoingMessage {
  /** Stable across redeliveries (the envelope `id`); sinks pass it on where the protocol has a field for it. */
  messageId: string;
  taskId: string;
  taskType: string;
  /** The exact envelope JSON. */
  body: string;
  /** 1-based attempt number. */
  attempt: number;
}

/**
 * A delivery backend. `publish` resolves only once the receiver has acknowledged the message (HTTP 2xx,
 * publisher confirm, JetStream ack, PUBACK…). It throws `PermanentDeliveryError` when retrying cannot
 * help (the message goes to the dead letters at once); any other error is retried with backoff.
 * Sinks keep their connections between messages and must stop at once when `signal` aborts.
 */
export interface NotificationSink<S extends SinkSpec = SinkSpec> {
  readonly kind: S['kind'];
  publish(target: S, message: OutgoingMessage, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export class PermanentDeliveryError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'PermanentDeliveryError';
  }
}

/** Rejects when `signal` aborts; the underlying operation is left to its own timeout/cleanup. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error('delivery aborted');
}

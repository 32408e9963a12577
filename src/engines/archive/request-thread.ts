/**
 * The main-thread side of a request/reply worker thread of this project (the inflate threads, the fs
 * writer thread): started on first use, holding the process open only while it has requests in flight.
 * A crashed thread fails its pending requests and is started again by the next one.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from './ts-worker.ts';

/**
 * The thread died under a request (it exited, or threw outside a request, or ran out of memory): a failure
 * of this process, not of the data the request carried.
 */
export class ThreadExitError extends Error {
  override name = 'ThreadExitError';
}

/** A reply that is not a failure (the threads' protocols report failures in an `error` field). */
export type SuccessReply<Reply> = Exclude<Reply, { error: unknown }>;
type Waiter<Reply> = { resolve: (reply: SuccessReply<Reply>) => void; reject: (err: Error) => void };
/** A request as the caller gives it: the message without the id this class numbers it with. */
export type RequestBody<Request> = Request extends { id: number } ? Omit<Request, 'id'> : never;

export class RequestThread<Request extends { id: number }, Reply extends { id: number }> {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiter<Reply>>();

  /**
   * `failure` turns a reply into the error it reports (undefined for a success); `name` says which thread
   * exited in the error of the requests it leaves.
   */
  constructor(
    private readonly moduleUrl: URL,
    private readonly name: string,
    private readonly failure: (reply: Reply) => Error | undefined,
  ) {}

  /** Requests in flight. */
  get pending(): number {
    return this.#waiting.size;
  }

  request(body: RequestBody<Request>): Promise<SuccessReply<Reply>> {
    const worker = this.#start();
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) worker.ref();
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...body });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // It holds nothing but the request at hand: small heap limits keep its footprint near the ~10 MiB of a
    // bare thread.
    const worker = startWorker(this.moduleUrl, {
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(reply));
    worker.on('error', (err) =>
      this.#fail(worker, new ThreadExitError(`${this.name} failed: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) => this.#fail(worker, new ThreadExitError(`${this.name} exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: Reply): void {
    const waiter = this.#waiting.get(reply.id);
    if (!waiter) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker?.unref();
    const err = this.failure(reply);
    if (err) waiter.reject(err);
    else waiter.resolve(reply as SuccessReply<Reply>);
  }

  #fail(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}

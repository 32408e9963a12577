/**
 * Runs the calls made in the same event-loop turn as one statement: under load a request's round trip and
 * its statement's fixed cost (parse, plan, commit, the socket write) are shared by the requests that arrived
 * together, the way the completion batcher shares the finish of many tasks. Alone, a call waits one
 * `setImmediate` at most.
 *
 * `run` gets the items in call order and answers one result per item, in the same order. When a batch of
 * several fails, each item is run again on its own, so one bad item fails only its own caller (the batch's
 * statement is atomic: nothing of it was written).
 */
export function createStatementBatcher<I, R>(
  run: (items: I[]) => Promise<R[]>,
  opts: { maxBatch?: number } = {},
): (item: I) => Promise<R> {
  const maxBatch = opts.maxBatch ?? 200;
  let pending: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];

  async function runBatch(batch: typeof pending) {
    try {
      const results = await run(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(results[i]!);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      await Promise.all(batch.map((b) => runBatch([b])));
    }
  }

  function flush() {
    const all = pending;
    pending = [];
    for (let i = 0; i < all.length; i += maxBatch) void runBatch(all.slice(i, i + maxBatch));
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ item, resolve, reject });
    });
}

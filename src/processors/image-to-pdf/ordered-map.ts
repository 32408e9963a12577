/**
 * Runs `fn` over `items` with at most `window` calls in flight and yields the results in input
 * order: the next images are read and converted while the current page is written.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  window: number,
  fn: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Array<Promise<R>> = [];
  let next = 0;
  const launch = () => {
    const i = next++;
    const p = fn(items[i]!, i);
    p.catch(() => {}); // observed below; avoids an unhandled rejection while it waits its turn
    pending.push(p);
  };
  try {
    while (next < items.length && pending.length < window) launch();
    while (pending.length > 0) {
      const result = await pending.shift()!;
      if (next < items.length) launch();
      yield result;
    }
  } finally {
    // Leave nothing running behind an early exit (failure or abort).
    await Promise.allSettled(pending);
  }
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and yields the results in input
 * order. Round trips to a networked backend overlap while memory stays bounded by `limit`
 * results. A failure rejects at its turn; calls still running are left to settle.
 */
export async function* orderedMap<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const running: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && running.length < limit) {
      const promise = fn(items[next++] as T);
      // Awaited in order below; this keeps a rejection from being reported as unhandled while
      // earlier results are still being consumed.
      promise.catch(() => undefined);
      running.push(promise);
    }
  };
  fill();
  while (running.length > 0) {
    const result = await (running.shift() as Promise<R>);
    fill();
    yield result;
  }
}

interface Pending {
  deadline: number;
  expire: () => void;
}

/**
 * Deadlines for many concurrent calls on one interval timer: a timer per call costs more than
 * the rest of the facade's work put together. A call fails at most one tick after its deadline
 * (a tenth of the first deadline, between 1 ms and `maxTickMs`); the timer runs only while calls
 * are pending and never keeps the process alive on its own.
 */
export class Deadlines {
  private readonly pending = new Set<Pending>();
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly maxTickMs = 50) {}

  /** `task`'s outcome, or `timeout()`'s error once `ms` have passed without one. */
  race<T>(task: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: performance.now() + ms, expire: () => reject(timeout()) };
      this.pending.add(entry);
      this.ticker ??= this.start(ms);
      task.then(
        (value) => {
          this.pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  private start(ms: number): NodeJS.Timeout {
    const ticker = setInterval(
      () => {
        const now = performance.now();
        for (const entry of this.pending) {
          if (entry.deadline > now) continue;
          this.pending.delete(entry);
          entry.expire();
        }
        if (this.pending.size === 0) {
          clearInterval(ticker);
          this.ticker = undefined;
        }
      },
      Math.max(1, Math.min(this.maxTickMs, Math.ceil(ms / 10))),
    );
    ticker.unref();
    return ticker;
  }
}

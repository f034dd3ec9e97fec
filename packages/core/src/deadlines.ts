/** A deadline registered with `Deadlines.add`, to hand back to `Deadlines.remove`. */
export interface Pending {
  readonly deadline: number;
  readonly expire: () => void;
}

/**
 * Deadlines for many concurrent calls on one interval timer: a timer per call costs more than
 * the rest of the facade's work put together. A call fails at most one tick after its deadline
 * (a tenth of the first deadline, between 1 ms and `maxTickMs`); the timer runs only while calls
 * are pending and never keeps the process alive on its own. Adapters may use it for their own
 * per-call deadlines.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines();
 * const entry = deadlines.add(5_000, () => console.log('still waiting after 5 s'));
 * // ... the call finished first:
 * if (!deadlines.remove(entry)) console.log('too late: expire() already ran');
 * ```
 */
export class Deadlines {
  private readonly pending = new Set<Pending>();
  private ticker: NodeJS.Timeout | undefined;

  /** @param maxTickMs The longest interval between two checks, in ms. Default 50. */
  constructor(private readonly maxTickMs = 50) {}

  /** `task`'s outcome, or `timeout()`'s error once `ms` have passed without one. */
  race<T>(task: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = this.add(ms, () => reject(timeout()));
      task.then(
        (value) => {
          this.remove(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.remove(entry);
          reject(error);
        },
      );
    });
  }

  /** Calls `expire` once `ms` have passed, unless `remove` takes the entry back first. */
  add(ms: number, expire: () => void): Pending {
    const entry: Pending = { deadline: performance.now() + ms, expire };
    this.pending.add(entry);
    this.ticker ??= this.start(ms);
    return entry;
  }

  /** Takes a deadline back; `false` when it had already expired (or was removed before). */
  remove(entry: Pending): boolean {
    return this.pending.delete(entry);
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

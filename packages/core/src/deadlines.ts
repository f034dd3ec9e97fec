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
  /** Pending entries in a doubly linked list, so adding and removing allocate and hash nothing. */
  private head: Entry | undefined;
  private tail: Entry | undefined;
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
    const entry = new Entry(performance.now() + ms, expire);
    if (this.tail) {
      entry.prev = this.tail;
      this.tail.next = entry;
    } else {
      this.head = entry;
    }
    this.tail = entry;
    this.ticker ??= this.start(ms);
    return entry;
  }

  /** Takes a deadline back; `false` when it had already expired (or was removed before). */
  remove(entry: Pending): boolean {
    if (!(entry instanceof Entry) || !entry.pending) return false;
    entry.pending = false;
    // A due entry is already out of the list, waiting for its turn in this tick.
    if (entry.linked) this.unlink(entry);
    return true;
  }

  private unlink(entry: Entry): void {
    entry.linked = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  private start(ms: number): NodeJS.Timeout {
    const ticker = setInterval(
      () => {
        const now = performance.now();
        // Unlink every due entry first: an `expire` may add entries, or remove due ones.
        const due: Entry[] = [];
        for (let entry = this.head; entry; ) {
          const next = entry.next;
          if (entry.deadline <= now) {
            this.unlink(entry);
            due.push(entry);
          }
          entry = next;
        }
        for (const entry of due) {
          if (!entry.pending) continue;
          entry.pending = false;
          entry.expire();
        }
        if (this.head === undefined) {
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

class Entry implements Pending {
  /** Neither expired nor removed yet. */
  pending = true;
  /** In the list (not yet taken out as due or removed). */
  linked = true;
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;

  constructor(
    readonly deadline: number,
    readonly expire: () => void,
  ) {}
}

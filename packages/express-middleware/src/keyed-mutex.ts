/** Releases a lock; calling it more than once has no further effect. */
export type Release = () => void;

/**
 * An in-process FIFO mutex per key. `acquire` joins the key's queue synchronously, so requests
 * of one session take their turns in arrival order. A waiter whose deadline passes leaves
 * without ever holding the lock, and the queue moves on past it.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private waiting = 0;

  /** Number of callers currently waiting (not holding) across all keys. */
  get pending(): number {
    return this.waiting;
  }

  /**
   * Waits for the key's turn and resolves to its release function, or rejects with the error
   * from `onTimeout` when `timeoutMs` passes first.
   */
  acquire(key: string, timeoutMs: number, onTimeout: () => Error): Promise<Release> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let passOn!: () => void;
    const done = new Promise<void>((resolve) => {
      passOn = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    let released = false;
    const release: Release = () => {
      if (released) return;
      released = true;
      passOn();
      // Drop the entry once nobody queued behind this holder, so idle keys cost no memory.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };

    this.waiting++;
    return new Promise<Release>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.waiting--;
        reject(onTimeout());
      }, timeoutMs);
      void previous.then(() => {
        if (settled) {
          // Timed out while queued: hand the turn straight to the next waiter.
          release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.waiting--;
        resolve(release);
      });
    });
  }
}

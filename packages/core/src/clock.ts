import type { Clock } from './types.js';

/** The default clock: `Date.now()`. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock whose time only moves when told to. */
export interface ManualClock extends Clock {
  /** Moves time forward (or backward, with a negative value) by `ms`. */
  advance(ms: number): void;
  /** Sets the current time, epoch milliseconds. */
  set(ms: number): void;
}

/**
 * A clock for tests: starts at `start` (default: the real current time) and moves only when
 * `advance` or `set` is called.
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * const storage = createStorage({ adapter: memoryAdapter(), clock });
 * clock.advance(60_000);
 * ```
 */
export function manualClock(start: number = Date.now()): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

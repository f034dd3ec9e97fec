import type { Clock, StowageAdapter } from '../types.js';

const opened = new WeakMap<StowageAdapter, Promise<void>>();

/** The per-call deadline handed to an adapter opened for a copy (5 s, as a storage's default). */
export const COPY_TIMEOUT_MS = 5000;

/**
 * Opens an adapter for a copy once, however many copy functions use it. Opening is left out of
 * `createStorage`'s runtime on purpose: the caller keeps the adapter and closes it.
 */
export function openAdapter(
  adapter: StowageAdapter,
  clock: Clock,
  timeoutMs = COPY_TIMEOUT_MS,
): Promise<void> {
  let opening = opened.get(adapter);
  if (!opening) {
    opening = Promise.resolve(adapter.open?.({ clock, timeoutMs })).catch((error: unknown) => {
      opened.delete(adapter);
      throw error;
    });
    opened.set(adapter, opening);
  }
  return opening;
}

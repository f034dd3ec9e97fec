import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts recording event-loop delays at 1 ms resolution and resolves once the monitor has
 * ticked a few times. The monitor measures each tick against the previous one, so a block that
 * began in the same turn as `enable()` (a synchronous first sweep batch) would go unrecorded.
 */
export async function watchLoopDelay(): Promise<IntervalHistogram> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(10);
  return histogram;
}

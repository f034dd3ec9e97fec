import { isStowageError, type Storage } from '@stowage/core';

/** What a load run saw: writes the storage acknowledged, and every failure it threw. */
export interface LoadReport {
  /** Session id → the data value acknowledged for it. */
  acknowledged: Map<string, number>;
  /** Messages acknowledged on the log session, in order. */
  appended: number[];
  failures: unknown[];
}

/** A background load of session saves and idempotent appends, stoppable at any time. */
export interface Load {
  report: LoadReport;
  stop(): Promise<void>;
}

const pace = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * Starts `writers` loops saving fresh sessions, plus one loop appending numbered messages to
 * `logId` with one idempotency key per message, retrying a failed message with the same key
 * until it is acknowledged (the safe-retry pattern the contract promises).
 */
export function startLoad(storage: Storage, prefix: string, logId: string, writers = 4): Load {
  const report: LoadReport = { acknowledged: new Map(), appended: [], failures: [] };
  let running = true;
  const saver = async (w: number) => {
    for (let i = 0; running; i++) {
      const id = `${prefix}-${w}-${i}`;
      try {
        await storage.sessions.save({ id, data: i });
        report.acknowledged.set(id, i);
      } catch (error) {
        report.failures.push(error);
        await pace();
      }
    }
  };
  const appender = async () => {
    let next = 0;
    while (running) {
      try {
        await storage.messages.append(logId, [next], { idempotencyKey: `m${next}` });
        report.appended.push(next);
        next++;
      } catch (error) {
        report.failures.push(error);
        await pace();
      }
    }
  };
  const loops = [...Array.from({ length: writers }, (_, w) => saver(w)), appender()];
  return {
    report,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The failures that are not the typed, retriable outage errors the contract promises. */
export function untypedFailures(failures: readonly unknown[]): unknown[] {
  return failures.filter((e) => !(isStowageError(e, 'CONNECTION') || isStowageError(e, 'TIMEOUT')));
}

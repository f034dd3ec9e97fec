/** One way the secondary of a `mirrored` adapter stopped matching the primary. */
export interface MirrorDifference {
  /** The call that found it, for example `'sessions.save'` or `'kv.increment'`. */
  op: string;
  /** The session id or kv key concerned; `''` for calls over a filter. */
  key: string;
  /**
   * `'error'`: the secondary call failed; `'mismatch'`: it answered differently from the
   * primary; `'conflict'`: its version of the session was not the one before the primary's.
   */
  reason: 'error' | 'mismatch' | 'conflict';
  /** What differed, for people. */
  detail: string;
  /** Whether the secondary was brought back to the primary's state afterwards. */
  repaired: boolean;
  /** The secondary's error, for `'error'`. */
  error?: unknown;
  /** Clock time of the call, epoch ms. */
  at: number;
}

/** What `differences()` returns. */
export interface MirrorReport {
  /** Differences found since the adapter was created. */
  total: number;
  /** How many of them were not repaired: re-copy these keys (for example with `migrate`). */
  unrepaired: number;
  /** The most recent differences, oldest first, at most `maxDifferences` of them. */
  recent: MirrorDifference[];
}

/** Keeps the difference report of a `mirrored` adapter: counts plus a bounded recent list. */
export class MirrorRecorder {
  private total = 0;
  private unrepaired = 0;
  private readonly recent: MirrorDifference[] = [];

  constructor(
    private readonly limit: number,
    private readonly listener: ((difference: MirrorDifference) => void) | undefined,
  ) {}

  /** Records a difference and tells the listener; a throwing listener is reported as a warning. */
  record(difference: MirrorDifference): void {
    this.total++;
    if (!difference.repaired) this.unrepaired++;
    this.recent.push(difference);
    if (this.recent.length > this.limit) this.recent.shift();
    try {
      this.listener?.(difference);
    } catch (error) {
      // The user's call already succeeded on the primary; a broken listener must not fail it.
      process.emitWarning(
        `Stowage onDifference listener threw: ${String(error)}`,
        'StowageWarning',
      );
    }
  }

  /** A snapshot of the report. */
  report(): MirrorReport {
    return { total: this.total, unrepaired: this.unrepaired, recent: [...this.recent] };
  }
}

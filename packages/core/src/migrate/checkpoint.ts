import { ConfigError, CorruptionError } from '../errors.js';
import type { Clock, KvDriver } from '../types.js';
import { type CopyPosition, RESERVED_KEY_PREFIX } from './records.js';

/** The target kv key that holds a migration's checkpoint. */
export const CHECKPOINT_KEY = `${RESERVED_KEY_PREFIX}migrate-checkpoint`;

/** What a checkpoint records: where the copy stands and what it had copied by then. */
export interface Checkpoint {
  /** The copy's source as `MigrateOptions.source` named it (never a credential). */
  source: string;
  position: CopyPosition;
  sessions: number;
  messages: number;
  kv: number;
}

/**
 * Reads and writes the checkpoint in the target's kv. It is written after every completed batch
 * and removed when the copy finishes, so its presence means "a copy stopped part-way".
 */
export class CheckpointStore {
  constructor(
    private readonly kv: KvDriver,
    private readonly clock: Clock,
  ) {}

  /** The saved checkpoint, or undefined when none is stored. */
  async load(): Promise<Checkpoint | undefined> {
    const text = await this.kv.get(CHECKPOINT_KEY, { now: this.clock.now() });
    if (text === undefined) return undefined;
    let value: Partial<Checkpoint> | undefined;
    try {
      value = JSON.parse(text) as Partial<Checkpoint>;
    } catch (error) {
      throw unreadable(error);
    }
    const phase = value?.position?.phase;
    if (phase !== 'sessions' && phase !== 'kv') throw unreadable(undefined);
    return value as Checkpoint;
  }

  /**
   * The saved checkpoint of a copy from `source`, or undefined when none is stored. A
   * checkpoint left by a copy from another source (or one that does not say) is a
   * `ConfigError`: continuing it would mix two sources' positions and counts.
   */
  async loadFor(source: string): Promise<Checkpoint | undefined> {
    const checkpoint = await this.load();
    if (checkpoint === undefined || checkpoint.source === source) return checkpoint;
    const recorded =
      typeof checkpoint.source === 'string'
        ? `a copy from ${JSON.stringify(checkpoint.source)}`
        : 'a copy that did not record its source';
    throw new ConfigError(
      `Cannot resume: the checkpoint in the target was left by ${recorded}, but this copy reads from ${JSON.stringify(source)}. Resume with the same source, or copy again without resume (it starts over and replaces the checkpoint)`,
    );
  }

  /** Stores the checkpoint. */
  async save(checkpoint: Checkpoint): Promise<void> {
    const write = { key: CHECKPOINT_KEY, value: JSON.stringify(checkpoint), expiresAt: null };
    await this.kv.set(write, { now: this.clock.now() });
  }

  /** Removes the checkpoint. */
  async clear(): Promise<void> {
    await this.kv.delete(CHECKPOINT_KEY, { now: this.clock.now() });
  }
}

function unreadable(cause: unknown): CorruptionError {
  return new CorruptionError(
    `The migration checkpoint ${CHECKPOINT_KEY} is unreadable; delete it to start over`,
    { cause },
  );
}

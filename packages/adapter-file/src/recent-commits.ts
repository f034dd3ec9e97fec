/** How many ids to remember; only commits that overlap a waiting save matter. */
const CAPACITY = 10_000;

/**
 * The versions this process committed lately, stamped with a sequence number. A conditional
 * save notes the sequence when it is called; if, by its turn, this process has committed
 * another version of the same session since, the save is stale and fails without any I/O.
 * That is as correct as a check under the lock (the other version existed during the call),
 * and it keeps losing writers from delaying the winner.
 */
export class RecentCommits {
  private readonly versions = new Map<string, { version: number; seq: number }>();
  private seq = 0;

  /** Records a commit of `version` for `id` (0 for a delete). */
  note(id: string, version: number): void {
    this.versions.delete(id);
    this.versions.set(id, { version, seq: ++this.seq });
    if (this.versions.size > CAPACITY) {
      this.versions.delete(this.versions.keys().next().value as string);
    }
  }

  /** A marker for `since`: commits noted after this call count, earlier ones do not. */
  mark(): number {
    return this.seq;
  }

  /** The version this process committed for `id` after `marker`, if it did. */
  since(id: string, marker: number): number | undefined {
    const entry = this.versions.get(id);
    return entry && entry.seq > marker ? entry.version : undefined;
  }
}

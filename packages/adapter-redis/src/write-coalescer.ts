import type { Redis } from 'ioredis';
import type { RedisClient } from './script-runner.js';

/**
 * Coalesces the socket writes of commands sent while others are in flight. ioredis writes every
 * command with its own `write` call, one syscall each; under concurrency many calls resume in
 * the same tick (their replies arrive in one read) and each sends its next command at once.
 * Corking the socket for the rest of that tick sends them in one `writev`, so Redis and the
 * kernel handle one packet instead of dozens. A lone call is never corked and never delayed,
 * and Cluster clients (one socket per node) are left alone.
 */
export class WriteCoalescer {
  private inFlight = 0;
  private corked = false;

  constructor(private readonly client: RedisClient) {}

  /** Call right before sending a command; pair with `end` once it settles. */
  begin(): void {
    if (this.inFlight++ > 0 && !this.corked) this.cork();
  }

  /** Call once the command begun with `begin` has settled. */
  end(): void {
    this.inFlight--;
  }

  private cork(): void {
    const { client } = this;
    if (client.isCluster || client.status !== 'ready') return;
    const { stream } = client as Redis;
    if (!stream || stream.writableCorked > 0) return;
    this.corked = true;
    stream.cork();
    // Ticks run after the current run of promise continuations, which is when the calls that
    // resumed together have all sent their commands.
    process.nextTick(() => {
      this.corked = false;
      stream.uncork();
    });
  }
}

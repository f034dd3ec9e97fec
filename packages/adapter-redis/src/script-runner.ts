import { createHash } from 'node:crypto';
import { TimeoutError } from '@stowage/core';
import type { Cluster, Redis } from 'ioredis';
import { ADAPTER, toStowageError } from './errors.js';
import { preludeFor } from './lua/prelude.js';
import { WriteCoalescer } from './write-coalescer.js';

/** A standalone, Sentinel-managed or Cluster ioredis client. */
export type RedisClient = Redis | Cluster;

/** One Lua script with its SHA1, run with EVALSHA and loaded on NOSCRIPT. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/**
 * Builds a script from a body that runs after the part of the shared prelude it uses. `head`,
 * if given, runs before the helpers are built: Redis runs the whole chunk on every call, so a
 * common case that can answer with plain commands skips the cost of creating the helpers.
 */
export function defineScript(name: string, body: string, head = ''): LuaScript {
  const source = `${preludeFor(body, head)}\n${body}`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Whether writes wait for a replica (`'replicated'`) or return once the primary has them. */
export type Durability = 'memory' | 'replicated';

/** Settings of a `ScriptRunner`. */
export interface ScriptRunnerSettings {
  client: RedisClient;
  prefix: string;
  anchor: string;
  marginMs: number;
  durability: Durability;
  timeoutMs: number;
}

type Arg = string | number;

/** How many times a replicated write follows a MOVED reply before it reports the outage. */
const MAX_REDIRECTS = 3;

function isRedirect(reply: unknown): boolean {
  return reply instanceof Error && /^(MOVED|ASK) /.test(reply.message);
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs the adapter's scripts on the namespace's slot. Every script gets the namespace prefix,
 * the caller's clock and the expiry margin as its first arguments. With durability
 * `'replicated'`, a write is followed by `WAIT 1` in the same pipeline, so it reaches the node
 * that ran the script, and the call fails unless a replica acknowledged it.
 */
export class ScriptRunner {
  /** Scripts this runner has sent in full once; later calls send only the SHA1. */
  private readonly sent = new Set<string>();
  private readonly coalescer: WriteCoalescer;

  /** The expiry margin as the text Redis receives, converted once. */
  private readonly margin: string;

  constructor(private readonly settings: ScriptRunnerSettings) {
    this.coalescer = new WriteCoalescer(settings.client);
    this.margin = String(settings.marginMs);
  }

  /** The namespace's key prefix. */
  get prefix(): string {
    return this.settings.prefix;
  }

  /**
   * Runs plain commands (reads that need no atomicity beyond one command) with the same error
   * mapping as scripts.
   */
  command<T>(name: string, run: (client: RedisClient) => Promise<T>): Promise<T> {
    this.coalescer.begin();
    let sent: Promise<T>;
    try {
      sent = run(this.settings.client);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return this.settle(sent, name);
  }

  /** Runs a script that only reads (or purges already-expired data). */
  read(script: LuaScript, now: number, args: readonly Arg[]): Promise<unknown> {
    this.coalescer.begin();
    return this.settle(this.evaluate(script, now, args), script.name);
  }

  /** Runs a script that writes, waiting for a replica when durability is `'replicated'`. */
  write(script: LuaScript, now: number, args: readonly Arg[]): Promise<unknown> {
    if (this.settings.durability === 'memory') return this.read(script, now, args);
    return this.writeReplicated(script, now, args);
  }

  /**
   * Ends a call begun with `coalescer.begin()` once `sent` settles, mapping driver errors.
   * Plain promise callbacks rather than nested async functions: this runs on every call, and
   * each async layer costs a promise and a few microtask turns.
   */
  private settle<T>(sent: Promise<T>, name: string): Promise<T> {
    return sent.then(
      (value) => {
        this.coalescer.end();
        return value;
      },
      (error: unknown) => {
        this.coalescer.end();
        throw toStowageError(error, name, this.settings.timeoutMs);
      },
    );
  }

  private async writeReplicated(
    script: LuaScript,
    now: number,
    args: readonly Arg[],
  ): Promise<unknown> {
    try {
      const argv = this.argv(now, args);
      let [result, acked] = await this.evaluateAndWait(script, argv, this.sent.has(script.sha));
      for (let attempt = 0; attempt < MAX_REDIRECTS && isRedirect(result); attempt++) {
        // The script did not run: the slot moved (failover, resharding). ioredis follows MOVED
        // for single commands but not inside a pipeline whose other command succeeded, so
        // refresh the slot map and send the pipeline again.
        await this.refreshSlots();
        [result, acked] = await this.evaluateAndWait(script, argv, true);
      }
      if (result instanceof Error && isNoScript(result)) {
        [result, acked] = await this.evaluateAndWait(script, argv, false);
      }
      if (result instanceof Error) throw result;
      this.sent.add(script.sha);
      // A failover that demotes the node unblocks its pending WAIT: like a WAIT that timed out,
      // the write ran on the old primary and may or may not have reached the new one.
      if (acked instanceof Error && !acked.message.startsWith('UNBLOCKED')) throw acked;
      if (typeof acked !== 'number' || acked < 1) {
        throw new TimeoutError(
          `${script.name} was applied on the primary but no replica acknowledged it within ${this.waitMs} ms; it may be lost on failover`,
          this.settings.timeoutMs,
          { adapter: ADAPTER },
        );
      }
      return result;
    } catch (error) {
      throw toStowageError(error, script.name, this.settings.timeoutMs);
    }
  }

  private get waitMs(): number {
    return Math.max(10, Math.floor(this.settings.timeoutMs / 2));
  }

  private refreshSlots(): Promise<void> {
    const { client } = this.settings;
    if (!client.isCluster) return Promise.resolve();
    return new Promise((resolve, reject) => {
      (client as Cluster).refreshSlotsCache((error) => (error ? reject(error) : resolve()));
    });
  }

  private argv(now: number, args: readonly Arg[]): Arg[] {
    return [this.settings.prefix, now, this.margin, ...args];
  }

  private evaluate(script: LuaScript, now: number, args: readonly Arg[]): Promise<unknown> {
    const { client, anchor, prefix } = this.settings;
    if (!this.sent.has(script.sha)) return this.load(script, this.argv(now, args));
    return client
      .evalsha(script.sha, 1, anchor, prefix, now, this.margin, ...args)
      .catch((error: unknown) => {
        // A restarted or newly promoted server has an empty script cache.
        if (!isNoScript(error)) throw error;
        return this.load(script, this.argv(now, args));
      });
  }

  /** Sends the script in full (EVAL), which also caches it on the server for EVALSHA. */
  private async load(script: LuaScript, argv: Arg[]): Promise<unknown> {
    const result = await this.settings.client.eval(script.source, 1, this.settings.anchor, ...argv);
    this.sent.add(script.sha);
    return result;
  }

  private async evaluateAndWait(
    script: LuaScript,
    argv: Arg[],
    bySha: boolean,
  ): Promise<[unknown, unknown]> {
    const { client, anchor } = this.settings;
    const pipeline = client.pipeline();
    if (bySha) pipeline.evalsha(script.sha, 1, anchor, ...argv);
    else pipeline.eval(script.source, 1, anchor, ...argv);
    pipeline.wait(1, this.waitMs);
    const replies = (await pipeline.exec()) ?? [];
    const [first, second] = replies;
    return [first?.[0] ?? first?.[1], second?.[0] ?? second?.[1]];
  }
}

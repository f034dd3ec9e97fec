import { type MessageDriver, NotFoundError } from '@stowage/core';
import { ADAPTER } from './errors.js';
import { encodeId } from './keys.js';
import {
  appendMessages,
  messageLength,
  rangeMessages,
  trimMessages,
} from './lua/message-scripts.js';
import type { ScriptRunner } from './script-runner.js';

/**
 * Message history as one Redis list per session (RPUSH/LRANGE/LTRIM), so an append costs the
 * same whatever the list's length. Every call checks the session's liveness in the same script.
 */
export function messageDriver(runner: ScriptRunner): MessageDriver {
  return {
    async append(sessionId, messages, { idempotencyKey }, ctx) {
      const keyed = idempotencyKey !== undefined;
      const length = Number(
        await runner.write(appendMessages, ctx.now, [
          encodeId(sessionId),
          keyed ? '1' : '0',
          idempotencyKey ?? '',
          ...messages,
        ]),
      );
      if (length < 0) {
        throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
          adapter: ADAPTER,
        });
      }
      return length;
    },
    async range(sessionId, start, end, ctx) {
      return (await runner.read(rangeMessages, ctx.now, [
        encodeId(sessionId),
        start,
        end,
      ])) as string[];
    },
    async length(sessionId, ctx) {
      return Number(await runner.read(messageLength, ctx.now, [encodeId(sessionId)]));
    },
    async trim(sessionId, keepLast, ctx) {
      return Number(await runner.write(trimMessages, ctx.now, [encodeId(sessionId), keepLast]));
    },
  };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createStorage,
  type KvDriver,
  memoryAdapter,
  type OperationEvent,
  type TracerLike,
} from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

// The structural type must accept the real API's tracer, not only the SDK's class.
const apiTracer: TracerLike = trace.getTracer('type-check');

afterEach(() => exporter.reset());

describe('OpenTelemetry spans', () => {
  it('accepts a tracer from @opentelemetry/api as is', async () => {
    // Without a registered provider the API hands out a no-op tracer; calls still work.
    const storage = createStorage(memoryAdapter(), { tracer: apiTracer });
    await storage.kv.set('k', 1);
    expect(await storage.kv.get('k')).toBe(1);
    await storage.close();
  });

  it('records one client span per operation with adapter, operation and outcome', async () => {
    const storage = createStorage(memoryAdapter(), { tracer: provider.getTracer('test') });
    await storage.sessions.save({ id: 'user-4711@example.com', data: { secret: 'marker' } });
    await storage.sessions.get('user-4711@example.com');
    await storage.kv.increment('hits', 1);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual([
      'stowage.sessions.save',
      'stowage.sessions.get',
      'stowage.kv.increment',
    ]);
    const get = spans[1];
    expect(get?.kind).toBe(2);
    expect(get?.attributes).toEqual({
      'stowage.operation': 'sessions.get',
      'db.system': 'memory',
      'stowage.adapter': 'memory',
      'stowage.outcome': 'ok',
    });
    expect(get?.status.code).toBe(SpanStatusCode.UNSET);
    expect(get?.events).toEqual([]);
    await storage.close();
  });

  it('marks failures with the error code and no ids or messages', async () => {
    const storage = createStorage(memoryAdapter(), { tracer: provider.getTracer('test') });
    const id = 'user-4711@example.com';
    await storage.sessions.save({ id, data: {} });
    const error = await storage.sessions
      .save({ id, data: {} }, { expectedVersion: 7 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    const span = exporter.getFinishedSpans().at(-1);
    expect(span?.attributes['stowage.outcome']).toBe('error');
    expect(span?.attributes['error.type']).toBe('CONFLICT');
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'ConflictError (CONFLICT)',
    });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    const everything = JSON.stringify(
      exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]),
    );
    expect(everything).not.toContain('4711');
    await storage.close();
  });

  it('feeds the onOperation hook from the same measurement', async () => {
    const events: OperationEvent[] = [];
    const storage = createStorage(memoryAdapter(), {
      tracer: provider.getTracer('test'),
      onOperation: (event) => events.push(event),
    });
    await storage.kv.get('missing');
    await storage.messages.append('nope', [1]).catch(() => undefined);
    expect(events.map((e) => [e.op, e.ok, e.code])).toEqual([
      ['kv.get', true, undefined],
      ['messages.append', false, 'NOT_FOUND'],
    ]);
    expect(exporter.getFinishedSpans().map((s) => s.attributes['error.type'])).toEqual([
      undefined,
      'NOT_FOUND',
    ]);
    await storage.close();
  });

  it('makes spans started inside the adapter children of the operation span', async () => {
    // What @opentelemetry/context-async-hooks does, reduced to the calls the API makes.
    const storage = new AsyncLocalStorage<Context>();
    const manager: ContextManager = {
      active: () => storage.getStore() ?? ROOT_CONTEXT,
      with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.apply(thisArg, args)),
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    try {
      const driverTracer = provider.getTracer('driver');
      const base = memoryAdapter();
      const kv = base.kv as KvDriver;
      // Stands in for an instrumented database client: it traces its own round trip.
      const traced: KvDriver = {
        ...kv,
        get: (key, ctx) =>
          driverTracer.startActiveSpan('driver.query', async (span) => {
            try {
              return await kv.get(key, ctx);
            } finally {
              span.end();
            }
          }),
      };
      const store = createStorage({ ...base, kv: traced }, { tracer: provider.getTracer('test') });
      await store.kv.get('k');
      const [inner, outer] = exporter.getFinishedSpans();
      expect(outer?.name).toBe('stowage.kv.get');
      expect(inner?.name).toBe('driver.query');
      expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
      await store.close();
    } finally {
      context.disable();
    }
  });

  it('refuses a tracer without startActiveSpan', () => {
    expect(() => createStorage(memoryAdapter(), { tracer: {} as unknown as TracerLike })).toThrow(
      /tracer/,
    );
  });
});

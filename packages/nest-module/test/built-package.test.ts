import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Controller, Get, type INestApplication, Inject, Req } from '@nestjs/common';
import type { Storage } from '@stowage/core';
import { stowageSession } from '@stowage/express-middleware';
import type { Request } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type * as api from '../src/index.js';
import { startApp } from './support/nest-app.js';

/** The package's API as typed by its sources; the values below come from the built files. */
type Build = typeof api;
// A computed specifier keeps `tsc` from needing dist/ (typecheck may run before the build).
const esmEntry = new URL('../dist/index.js', import.meta.url).href;
const esm = (await import(esmEntry)) as Build;
const cjs = createRequire(import.meta.url)('../dist/index.cjs') as Build;

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

/**
 * The published files are built by esbuild, which emits no decorator metadata; every class the
 * package instantiates must still be injectable. The app here uses only what the build exports.
 */
function appOn(build: Build): Promise<INestApplication> {
  @Controller()
  class ProbeController {
    constructor(
      @Inject(build.getStorageToken()) private readonly storage: Storage,
      @Inject(build.StowageHealthIndicator) private readonly health: api.StowageHealthIndicator,
    ) {}

    @Get('probe')
    async probe(@Req() req: Request) {
      const session = req.session as unknown as { hits?: number };
      session.hits = (session.hits ?? 0) + 1;
      return {
        hits: session.hits,
        counter: await this.storage.kv.increment('probes'),
        health: await this.health.isHealthy('storage'),
      };
    }
  }
  return startApp({
    imports: [
      build.StowageModule.forRoot({ url: 'memory:' }),
      build.StowageSessionModule.forRoot({
        middleware: (storage) => stowageSession({ storage, secret: SECRET }),
      }),
    ],
    controllers: [ProbeController],
  });
}

describe('the built package', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  for (const [format, build] of [
    ['ESM', esm],
    ['CommonJS', cjs],
  ] as const) {
    it(`injects storage, sessions and health from the ${format} build`, async () => {
      app = await appOn(build);
      const server = app.getHttpServer();
      const first = await request(server).get('/probe');
      expect(first.body).toMatchObject({
        hits: 1,
        counter: 1,
        health: { storage: { status: 'up' } },
      });
      const sid = (first.headers['set-cookie'] as unknown as string[])[0]?.split(';')[0] ?? '';
      const second = await request(server).get('/probe').set('Cookie', sid);
      expect(second.body).toMatchObject({ hits: 2, counter: 2 });
      const storage = app.get<Storage>(build.getStorageToken());
      await app.close();
      app = undefined;
      await expect(storage.kv.get('probes')).rejects.toMatchObject({ code: 'CLOSED' });
    });
  }
});

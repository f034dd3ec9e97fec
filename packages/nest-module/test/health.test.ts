import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, type INestApplication, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { Storage } from '@stowage/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { getStorageToken, StowageHealthIndicator, StowageModule } from '../src/index.js';
import { startApp, tempFolder } from './support/nest-app.js';

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(StowageHealthIndicator) private readonly stowage: StowageHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.stowage.isHealthy('storage'),
      () => this.stowage.isHealthy('sessions', 'sessions'),
    ]);
  }
}

function healthApp(sessionsUrl: string): Promise<INestApplication> {
  return startApp({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      StowageModule.forRoot({ url: 'memory:' }),
      StowageModule.forRoot({ name: 'sessions', url: sessionsUrl, timeout: '2s' }),
    ],
    controllers: [HealthController],
  });
}

describe('StowageHealthIndicator with @nestjs/terminus', () => {
  const cleanups: (() => unknown)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('answers 200 with both storages up when their backends answer', async () => {
    const folder = tempFolder();
    cleanups.push(folder.remove);
    const app = await healthApp(`sqlite:${join(folder.path, 'sessions.db')}`);
    cleanups.push(() => app.close());
    const reply = await request(app.getHttpServer()).get('/health');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.info.storage).toMatchObject({ status: 'up', adapter: 'memory' });
    expect(reply.body.info.sessions).toMatchObject({ status: 'up', adapter: 'sqlite' });
    expect(typeof reply.body.info.sessions.latencyMs).toBe('number');
  });

  it('answers 503 and names the storage that is down', async () => {
    const folder = tempFolder();
    cleanups.push(folder.remove);
    // A regular file where the database's folder should be: SQLite can never open it.
    const blocker = join(folder.path, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const app = await healthApp(`sqlite:${join(blocker, 'sessions.db')}`);
    cleanups.push(() => app.close());
    const reply = await request(app.getHttpServer()).get('/health');
    expect(reply.status).toBe(503);
    expect(reply.body.status).toBe('error');
    expect(reply.body.info.storage).toMatchObject({ status: 'up' });
    expect(reply.body.error.sessions).toMatchObject({ status: 'down', adapter: 'sqlite' });
    expect(typeof reply.body.error.sessions.code).toBe('string');
  });

  it('reports a closed storage as down', async () => {
    const app = await healthApp('memory:');
    cleanups.push(() => app.close());
    const indicator = app.get(StowageHealthIndicator);
    expect(await indicator.isHealthy('main')).toMatchObject({ main: { status: 'up' } });
    await app.get<Storage>(getStorageToken('sessions')).close();
    expect(await indicator.isHealthy('sessions', 'sessions')).toMatchObject({
      sessions: { status: 'down', code: 'CLOSED' },
    });
  });

  it('rejects a storage name that was never registered', async () => {
    const app = await healthApp('memory:');
    cleanups.push(() => app.close());
    await expect(app.get(StowageHealthIndicator).isHealthy('x', 'nope')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('"nope"'),
    });
  });
});

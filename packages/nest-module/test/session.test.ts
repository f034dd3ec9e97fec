import 'reflect-metadata';
import { Controller, Get, type INestApplication, Injectable, Module, Req } from '@nestjs/common';
import { memoryAdapter, type Storage } from '@stowage/core';
import { stowageSession } from '@stowage/express-middleware';
import type { Request } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { getStorageToken, StowageModule, StowageSessionModule } from '../src/index.js';
import { startApp } from './support/nest-app.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

declare module 'express-session' {
  interface SessionData {
    visits: number;
  }
}

@Controller()
class VisitsController {
  @Get('visits')
  visit(@Req() req: Request) {
    req.session.visits = (req.session.visits ?? 0) + 1;
    return { visits: req.session.visits };
  }

  @Get('health')
  health(@Req() req: Request) {
    return { hasSession: req.session !== undefined };
  }
}

/** Stands in for an app's configuration service. */
@Injectable()
class SessionConfig {
  readonly secret = SECRET;
}

@Module({ providers: [SessionConfig], exports: [SessionConfig] })
class SessionConfigModule {}

function cookieOf(reply: request.Response): string {
  const header = reply.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((line) => line.startsWith('sid='));
  if (!cookie) throw new Error(`no sid cookie in ${JSON.stringify(header)}`);
  return cookie;
}

describe('StowageSessionModule', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('sets a session cookie and keeps the session across requests', async () => {
    app = await startApp({
      imports: [
        StowageModule.forRoot({ adapter: memoryAdapter() }),
        StowageSessionModule.forRoot({
          middleware: (storage) => stowageSession({ storage, secret: SECRET }),
        }),
      ],
      controllers: [VisitsController],
    });
    const server = app.getHttpServer();
    const first = await request(server).get('/visits');
    expect(first.body).toEqual({ visits: 1 });
    const cookie = cookieOf(first);
    expect(cookie).toMatch(/HttpOnly/i);
    const sid = cookie.split(';')[0] as string;
    const second = await request(server).get('/visits').set('Cookie', sid);
    expect(second.body).toEqual({ visits: 2 });
    const third = await request(server).get('/visits').set('Cookie', sid);
    expect(third.body).toEqual({ visits: 3 });
    const storage = app.get<Storage>(getStorageToken());
    expect(await storage.sessions.count({ state: 'express-session' })).toBe(1);
    // A client without the cookie starts over.
    expect((await request(server).get('/visits')).body).toEqual({ visits: 1 });
  });

  it('uses a named storage, an async config and leaves excluded routes alone', async () => {
    app = await startApp({
      imports: [
        StowageModule.forRoot({ url: 'memory:' }),
        StowageModule.forRoot({ name: 'sessions', url: 'memory:' }),
        StowageSessionModule.forRootAsync({
          storageName: 'sessions',
          exclude: ['health'],
          imports: [SessionConfigModule],
          inject: [SessionConfig],
          useFactory: (config: SessionConfig) => ({
            middleware: (storage) => stowageSession({ storage, secret: config.secret }),
          }),
        }),
      ],
      controllers: [VisitsController],
    });
    const server = app.getHttpServer();
    const first = await request(server).get('/visits');
    const sid = cookieOf(first).split(';')[0] as string;
    expect((await request(server).get('/visits').set('Cookie', sid)).body).toEqual({ visits: 2 });
    const sessions = app.get<Storage>(getStorageToken('sessions'));
    const main = app.get<Storage>(getStorageToken());
    expect(await sessions.sessions.count({ state: 'express-session' })).toBe(1);
    expect(await main.sessions.count({})).toBe(0);
    const health = await request(server).get('/health');
    expect(health.body).toEqual({ hasSession: false });
    expect(health.headers['set-cookie']).toBeUndefined();
  });

  it('fails at startup when the session storage was never registered', async () => {
    const starting = startApp({
      imports: [
        StowageModule.forRoot({ url: 'memory:' }),
        StowageSessionModule.forRoot({
          storageName: 'missing',
          middleware: (storage) => stowageSession({ storage, secret: SECRET }),
        }),
      ],
    });
    await expect(starting).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('"missing"'),
    });
  });
});

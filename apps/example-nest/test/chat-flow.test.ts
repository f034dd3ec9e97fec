import type { INestApplication } from '@nestjs/common';
import { ClosedError, type Storage } from '@stowage/core';
import { getStorageToken } from '@stowage/nest-module';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type BackendRun } from './support/backends.js';
import { startChat, stopChat } from './support/nest-app.js';

function sessionCookie(reply: request.Response): string {
  const header = reply.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((line) => line.startsWith('sid='));
  if (!cookie) throw new Error(`no sid cookie in ${JSON.stringify(header)}`);
  return cookie;
}

describe.each(BACKENDS)('Nest chat on $name', (backend) => {
  let run: BackendRun;
  let app: INestApplication;
  let storage: Storage;

  beforeAll(async () => {
    run = backend.prepare();
    app = await startChat(run.config);
    storage = app.get<Storage>(getStorageToken());
  });

  afterAll(async () => {
    if (app) await stopChat(app);
    await run?.remove();
  });

  it('signs in, chats, lists, continues a conversation and signs out (JSON API)', async () => {
    const client = request.agent(app.getHttpServer());
    const anonymous = await client.get('/api/conversations').expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');

    const signIn = await client.post('/api/signin').send({ name: 'Hedy' }).expect(200);
    expect(signIn.body.user).toEqual({ id: 'user:hedy', name: 'Hedy' });
    const cookie = sessionCookie(signIn);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    const loginFilter = { state: 'express-session', labels: { userId: 'user:hedy' } };
    expect(await storage.sessions.count(loginFilter)).toBe(1);

    const first = await client
      .post('/api/conversations')
      .send({ text: 'my name is hedy', turnId: 'n-1' })
      .expect(201);
    const id = first.body.conversation.id as string;
    expect(first.body.conversation.title).toBe('my name is hedy');
    expect(first.body.messages[1].text).toBe('Hi Hedy, noted.');
    const path = `/api/conversations/${encodeURIComponent(id)}`;

    const second = await client.post('/api/conversations').send({ text: 'time' }).expect(201);
    expect(second.body.messages[1].text).toMatch(/^It is \d\d:\d\d UTC\.$/);

    const list = await client.get('/api/conversations').expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([
      second.body.conversation.id,
      id,
    ]);

    // Continue the first: it remembers the name, and a retried turn appends nothing.
    for (let attempt = 0; attempt < 2; attempt++) {
      const turn = await client
        .post(`${path}/messages`)
        .send({ text: 'what is my name?', turnId: 'n-2' })
        .expect(201);
      expect(turn.body.messages[1].text).toBe('You are Hedy.');
    }
    const history = await client.get(path).expect(200);
    expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual([
      'my name is hedy',
      'Hi Hedy, noted.',
      'what is my name?',
      'You are Hedy.',
    ]);
    expect(await storage.messages.length(id)).toBe(4);

    const refused = await client.post(`${path}/messages`).send({ text: '' }).expect(400);
    expect(refused.body.error.code).toBe('VALIDATION');

    // Another user sees nothing of it.
    const other = request.agent(app.getHttpServer());
    await other.post('/api/signin').send({ name: 'Eve' }).expect(200);
    await other.get(path).expect(404);
    expect((await other.get('/api/conversations').expect(200)).body.items).toEqual([]);
    await other.post('/api/signout').expect(204);

    await client.post('/api/signout').expect(204);
    expect(await storage.sessions.count(loginFilter)).toBe(0);
    await client.get('/api/me').expect(401);
    await client.get(path).expect(401);
    expect(
      await storage.sessions.count({ state: 'conversation', labels: { userId: 'user:hedy' } }),
    ).toBe(2);
  });

  it('serves the same chat as HTML pages, escaping user text', async () => {
    const browser = request.agent(app.getHttpServer());
    expect((await browser.get('/').expect(200)).text).toContain('name="name"');
    const signIn = await browser.post('/signin').type('form').send({ name: 'Ada' }).expect(303);
    const firstCookie = sessionCookie(signIn).split(';')[0] as string;

    const started = await browser
      .post('/chats')
      .type('form')
      .send({ text: '<img src=x onerror=alert(1)> hi', turnId: 'p-1' })
      .expect(303);
    const location = started.headers.location as string;
    expect(location).toMatch(/^\/chats\/chat%3A/);
    await browser.post(`${location}/messages`).type('form').send({ text: 'help' }).expect(303);
    const page = await browser.get(location).expect(200);
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; hi');
    expect(page.text).not.toContain('<img');
    expect(page.text).toContain('Tell me &quot;my name is ...&quot;');
    const home = await browser.get('/').expect(200);
    expect(home.text).toContain(`href="${location}"`);

    // Signing in again rotates the session id; the old one stops working.
    const again = await browser.post('/signin').type('form').send({ name: 'Ada' }).expect(303);
    expect(sessionCookie(again).split(';')[0]).not.toBe(firstCookie);
    const stale = await request(app.getHttpServer()).get(location).set('Cookie', firstCookie);
    expect(stale.status).toBe(303);

    await browser.post('/signout').expect(303);
    const after = await browser.get(location);
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/');
  });
});

describe('StowageModule ownership', () => {
  it('closes the storage it opened from the URL when the application closes', async () => {
    const run = BACKENDS[0]?.prepare() as BackendRun;
    const app = await startChat(run.config);
    const storage = app.get<Storage>(getStorageToken());
    expect(await storage.sessions.count({})).toBe(0);
    await stopChat(app);
    await expect(storage.sessions.count({})).rejects.toBeInstanceOf(ClosedError);
    await run.remove();
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { BACKENDS, TEST_SECRET, type TestBackend } from './support/backends.js';
import { sessionCookie } from './support/http.js';

describe.each(BACKENDS)('JSON API on $name', (backend) => {
  let opened: TestBackend;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    opened = await backend.open();
    app = createApp({ storage: opened.storage, secret: TEST_SECRET, log: () => {} });
  });

  afterAll(async () => {
    await opened?.dispose();
  });

  it('runs the chat through /api and ends the session at sign-out', async () => {
    const client = request.agent(app);
    await client.get('/api/me').expect(401);
    await client.get('/api/conversations').expect(401);

    const signIn = await client.post('/api/signin').send({ name: 'Linus' }).expect(200);
    expect(signIn.body).toEqual({ user: { id: 'user:linus', name: 'Linus' } });
    const cookie = sessionCookie(signIn) ?? '';
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect((await client.get('/api/me').expect(200)).body.user.name).toBe('Linus');

    const created = await client
      .post('/api/conversations')
      .send({ text: 'call me Lin', turnId: 'turn-1' })
      .expect(201);
    const id = created.body.conversation.id as string;
    expect(created.body.conversation.title).toBe('call me Lin');
    expect(created.body.messages.map((m: { text: string }) => m.text)).toEqual([
      'call me Lin',
      'Nice to meet you, Lin! I will remember that.',
    ]);

    const reply = await client
      .post(`/api/conversations/${encodeURIComponent(id)}/messages`)
      .send({ text: 'who am i' })
      .expect(201);
    expect(reply.body.messages[1].text).toBe('Your name is Lin.');

    const other = await client.post('/api/conversations').send({}).expect(201);
    expect(other.body.messages).toEqual([]);

    const list = await client.get('/api/conversations').expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([
      other.body.conversation.id,
      id,
    ]);
    expect(list.body.cursor).toBeNull();

    const shown = await client.get(`/api/conversations/${encodeURIComponent(id)}`).expect(200);
    expect(shown.body.messages).toHaveLength(4);
    expect(shown.body.conversation.id).toBe(id);

    const invalid = await client
      .post(`/api/conversations/${encodeURIComponent(id)}/messages`)
      .send({ text: 'x'.repeat(2001) })
      .expect(400);
    expect(invalid.body.error.code).toBe('VALIDATION');
    await client.get('/api/conversations/chat%3Amissing').expect(404);

    await client.post('/api/signout').expect(204);
    await client.get('/api/me').expect(401);
    await client.get(`/api/conversations/${encodeURIComponent(id)}`).expect(401);
    expect(
      await opened.storage.sessions.count({
        state: 'express-session',
        labels: { userId: 'user:linus' },
      }),
    ).toBe(0);
  });

  it('answers unknown API paths and malformed bodies with JSON errors', async () => {
    const missing = await request(app).get('/api/nothing').expect(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const malformed = await request(app)
      .post('/api/signin')
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(malformed.body.error.code).toBe('BAD_REQUEST');
    const page = await request(app).get('/no/such/page').expect(404);
    expect(page.text).toContain('There is no page here.');
  });
});

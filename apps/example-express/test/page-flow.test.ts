import type { Storage } from '@stowage/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { ChatMessage } from '../src/chat-service.js';
import { BACKENDS, TEST_SECRET, type TestBackend } from './support/backends.js';
import { conversationIdOf, cookiePair, sessionCookie } from './support/http.js';

const LOGIN_STATE = 'express-session';

describe.each(BACKENDS)('pages on $name', (backend) => {
  let opened: TestBackend;
  let storage: Storage;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    opened = await backend.open();
    storage = opened.storage;
    app = createApp({ storage, secret: TEST_SECRET, log: () => {} });
  });

  afterAll(async () => {
    await opened?.dispose();
  });

  it('signs in, chats, lists, continues a conversation and signs out', async () => {
    const browser = request.agent(app);

    const home = await browser.get('/').expect(200);
    expect(home.text).toContain('Sign in');
    // Nothing is stored or sent for a visitor who has not signed in.
    expect(sessionCookie(home)).toBeUndefined();

    const signIn = await browser.post('/signin').type('form').send({ name: '  Ada  Lovelace ' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe('/chats');
    const cookie = sessionCookie(signIn);
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i); // plain HTTP here; Secure comes with HTTPS
    const userId = 'user:ada lovelace';
    expect(await storage.sessions.count({ state: LOGIN_STATE, labels: { userId } })).toBe(1);

    const empty = await browser.get('/chats').expect(200);
    expect(empty.text).toContain('Signed in as <strong>Ada Lovelace</strong>');
    expect(empty.text).toContain('None yet.');
    // The page's own stylesheet is inserted as is, unlike user text.
    expect(empty.text).toContain('input[type="text"]');

    const first = await browser
      .post('/chats')
      .type('form')
      .send({ text: 'Hello there, my name is Ada', turnId: 't-1' });
    expect(first.status).toBe(303);
    const firstId = conversationIdOf(first);
    const page = await browser.get(`/chats/${encodeURIComponent(firstId)}`).expect(200);
    expect(page.text).toContain('Nice to meet you, Ada! I will remember that.');

    await browser
      .post(`/chats/${encodeURIComponent(firstId)}/messages`)
      .type('form')
      .send({ text: 'What is my name?', turnId: 't-2' })
      .expect(303);
    const recalled = await browser.get(`/chats/${encodeURIComponent(firstId)}`).expect(200);
    expect(recalled.text).toContain('Your name is Ada.');

    const second = await browser
      .post('/chats')
      .type('form')
      .send({ text: 'count one two three', turnId: 't-3' });
    const secondId = conversationIdOf(second);
    expect(secondId).not.toBe(firstId);

    // The list shows both conversations, newest first, titled by their first message.
    const list = await browser.get('/chats').expect(200);
    const newer = list.text.indexOf('count one two three');
    const older = list.text.indexOf('Hello there, my name is Ada');
    expect(newer).toBeGreaterThan(-1);
    expect(older).toBeGreaterThan(newer);
    const stored = await storage.sessions.list({ state: 'conversation', labels: { userId } });
    expect(stored.items.map((item) => item.id).sort()).toEqual([firstId, secondId].sort());

    // Continue the first one: the second conversation did not change what the agent remembers.
    await browser
      .post(`/chats/${encodeURIComponent(firstId)}/messages`)
      .type('form')
      .send({ text: 'hello', turnId: 't-4' })
      .expect(303);
    const history = await storage.messages.range<ChatMessage>(firstId, 0, -1);
    expect(history.map((message) => message.role)).toEqual([
      'user',
      'agent',
      'user',
      'agent',
      'user',
      'agent',
    ]);
    expect(history.at(-1)?.text).toBe('Hello, Ada! Type "help" to see what I can do.');

    const signOut = await browser.post('/signout');
    expect(signOut.status).toBe(303);
    expect(signOut.headers.location).toBe('/');
    // The login session is gone from the storage; the conversations stay.
    expect(await storage.sessions.count({ state: LOGIN_STATE, labels: { userId } })).toBe(0);
    expect(await storage.sessions.count({ state: 'conversation', labels: { userId } })).toBe(2);
    const after = await browser.get('/chats');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/');
    // Replaying the old cookie does not bring the session back.
    const replay = await request(app)
      .get('/chats')
      .set('Cookie', cookiePair(cookie as string));
    expect(replay.status).toBe(303);

    // Signing in again under the same name finds the conversations.
    const again = request.agent(app);
    await again.post('/signin').type('form').send({ name: 'ada lovelace' }).expect(303);
    const found = await again.get('/chats').expect(200);
    expect(found.text).toContain('Hello there, my name is Ada');
    await again.post('/signout').expect(303);
  });

  it('gives the session a new id at sign-in', async () => {
    const browser = request.agent(app);
    const asGrace = await browser.post('/signin').type('form').send({ name: 'Grace' });
    const graceCookie = cookiePair(sessionCookie(asGrace) as string);
    const asAlan = await browser.post('/signin').type('form').send({ name: 'Alan' });
    const alanCookie = cookiePair(sessionCookie(asAlan) as string);
    expect(alanCookie).not.toBe(graceCookie);
    // The pre-rotation id no longer opens anything.
    const stale = await request(app).get('/chats').set('Cookie', graceCookie);
    expect(stale.status).toBe(303);
    const current = await request(app).get('/chats').set('Cookie', alanCookie).expect(200);
    expect(current.text).toContain('Signed in as <strong>Alan</strong>');
    await browser.post('/signout').expect(303);
  });

  it('escapes user text, keeps conversations private and appends a resubmitted form once', async () => {
    const mallory = request.agent(app);
    await mallory.post('/signin').type('form').send({ name: '<b>Mallory</b>' }).expect(303);
    const created = await mallory
      .post('/chats')
      .type('form')
      .send({ text: '<script>alert("x")</script> & more', turnId: 'm-1' });
    const id = conversationIdOf(created);
    const path = `/chats/${encodeURIComponent(id)}`;

    const page = await mallory.get(path).expect(200);
    expect(page.text).not.toContain('<script>');
    expect(page.text).not.toContain('<b>Mallory</b>');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(page.text).toContain('&lt;b&gt;Mallory&lt;/b&gt;');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");

    // The same form posted twice (a double click, a retried request) is one turn.
    for (let attempt = 0; attempt < 2; attempt++) {
      await mallory
        .post(`${path}/messages`)
        .type('form')
        .send({ text: 'time', turnId: 'm-2' })
        .expect(303);
    }
    expect(await storage.messages.length(id)).toBe(4);

    // Another user cannot read or write it.
    const eve = request.agent(app);
    await eve.post('/signin').type('form').send({ name: 'Eve' }).expect(303);
    await eve.get(path).expect(404);
    await eve.post(`${path}/messages`).type('form').send({ text: 'hi' }).expect(404);
    expect(await storage.messages.length(id)).toBe(4);

    // Empty names and messages are refused with the form shown again.
    const noName = await request(app).post('/signin').type('form').send({ name: '   ' });
    expect(noName.status).toBe(400);
    expect(noName.text).toContain('Enter a name');
    const noText = await mallory.post(`${path}/messages`).type('form').send({ text: ' ' });
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('Write a message');

    await mallory.post('/signout').expect(303);
    await eve.post('/signout').expect(303);
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { sqliteBackend, TEST_SECRET, type TestBackend } from './support/backends.js';
import { chromiumPath } from './support/browser.js';

const STEP_TIMEOUT = 15_000;

describe('the chat in headless Chromium (SQLite)', () => {
  let backend: TestBackend;
  let server: Server;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    backend = sqliteBackend();
    const app = createApp({ storage: backend.storage, secret: TEST_SECRET, log: () => {} });
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: 30_000,
      // Containers often run as root, where Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await backend?.dispose();
  });

  it('signs in, chats, survives a reload with the cookie flags set, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT);

    await page.goto(base);
    await page.getByLabel('Display name').fill('Ada');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/chats`);
    await expect.poll(() => page.locator('header .who strong').textContent()).toBe('Ada');

    await page.getByLabel('Message').fill('Hello! My name is Ada');
    await page.getByLabel('Message').press('Enter');
    await page.waitForURL(/\/chats\/chat%3A/);
    await page.getByText('Nice to meet you, Ada! I will remember that.').waitFor();

    await page.getByLabel('Message').fill('what is my name?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your name is Ada.').waitFor();
    const conversationUrl = page.url().replace(/#.*$/, '');

    await page.reload();
    const messages = page.locator('ol.messages > li');
    expect(await messages.count()).toBe(4);
    expect(await messages.nth(0).textContent()).toContain('Hello! My name is Ada');
    expect(await messages.nth(3).textContent()).toContain('Your name is Ada.');
    const listed = page.locator('nav a[aria-current="page"]');
    expect(await listed.textContent()).toContain('Hello! My name is Ada');

    const cookies = await context.cookies(base);
    const sid = cookies.find((cookie) => cookie.name === 'sid');
    expect(sid).toBeDefined();
    expect(sid?.httpOnly).toBe(true);
    expect(sid?.sameSite).toBe('Lax');
    expect(sid?.secure).toBe(false); // plain HTTP on loopback; the app marks it Secure over HTTPS
    // HttpOnly: the page's scripts cannot read the session cookie.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('sid=');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Even the conversation's address now leads back to the sign-in page.
    await page.goto(conversationUrl);
    expect(page.url()).toBe(`${base}/`);
    expect(
      await backend.storage.sessions.count({
        state: 'express-session',
        labels: { userId: 'user:ada' },
      }),
    ).toBe(0);
    expect(
      await backend.storage.sessions.count({
        state: 'conversation',
        labels: { userId: 'user:ada' },
      }),
    ).toBe(1);
    await context.close();
  }, 90_000);
});

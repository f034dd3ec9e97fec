// Renders docs/chat.png: starts the built app on a throwaway SQLite file, plays a short chat in
// headless Chromium (CHROMIUM_PATH or /usr/bin/chromium) and screenshots the page, 1000px wide.
// Run `pnpm run screenshot` (it builds first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStorage } from '@stowage/core';
import { chromium } from 'playwright-core';
import { createApp } from '../dist/app.js';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '..', 'docs', 'chat.png');
const folder = mkdtempSync(join(tmpdir(), 'stowage-screenshot-'));
const storage = createStorage(`sqlite://${join(folder, 'chat.db')}`);
const app = createApp({ storage, secret: 'screenshot-secret-0123456789-abcdefghijklmnop' });
const server = await new Promise((resolve) => {
  const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
});
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
  timeout: 30_000,
});

async function say(page, text) {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForLoadState('load');
}

try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  page.setDefaultTimeout(15_000);
  await page.goto(base);
  await page.getByLabel('Display name').fill('Ada');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/chats`);
  await say(page, 'count the words in this sentence please');
  await page.getByRole('button', { name: '+ New conversation' }).click();
  await page.waitForURL(/\/chats\/chat/);
  await say(page, 'Hello! My name is Ada');
  await say(page, 'what time is it?');
  await say(page, 'What is my name?');
  await page.screenshot({ path: output, fullPage: true });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  await storage.close();
  rmSync(folder, { recursive: true, force: true });
}

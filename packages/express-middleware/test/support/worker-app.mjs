// One app process of the multi-process test: an Express shop over a shared SQLite file.
// Usage: node worker-app.mjs <database file> <secret> <expected requests>
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { createStorage } from '@stowage/core';
import { stowageSession } from '@stowage/express-middleware';
import express from 'express';

const [path, secret, expected] = process.argv.slice(2);
const storage = createStorage(sqliteAdapter({ path }));
const app = express();

// Counts arrivals in the shared storage before the session middleware takes its turn.
app.use(async (req, _res, next) => {
  if (req.path === '/cart/add') await storage.kv.increment('test:arrived');
  next();
});
app.use(stowageSession({ storage, secret }));

app.post('/start', (req, res) => {
  req.session.cart = [];
  res.json({ pid: process.pid });
});
app.post('/cart/add', async (req, res) => {
  const cart = [...(req.session.cart ?? [])];
  // Hold between read and write until every request has reached one of the processes, so
  // without serialisation they would all have read the same cart.
  while (((await storage.kv.get('test:arrived')) ?? 0) < Number(expected)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  cart.push(String(req.query.item));
  req.session.cart = cart;
  res.json({ pid: process.pid });
});
app.get('/cart', (req, res) => {
  res.json({ cart: req.session.cart ?? null });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => storage.close().then(() => process.exit(0)));
});

import 'reflect-metadata';
import { join } from 'node:path';
import { Body, Controller, Get, type INestApplication, Param, Post } from '@nestjs/common';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import type { Storage } from '@stowage/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { InjectStorage, StowageModule } from '../src/index.js';
import { startApp, tempFolder } from './support/nest-app.js';

@Controller('chats')
class ChatController {
  constructor(@InjectStorage() private readonly storage: Storage) {}

  @Post(':id/messages')
  async append(@Param('id') id: string, @Body() body: { text: string }) {
    if (!(await this.storage.sessions.get(id))) {
      await this.storage.sessions.save({ id, data: { title: body.text } }, { expectedVersion: 0 });
    }
    return { length: await this.storage.messages.append(id, [{ role: 'user', text: body.text }]) };
  }

  @Get(':id/messages')
  async history(@Param('id') id: string) {
    return this.storage.messages.range(id);
  }
}

describe('a SQLite storage in a Nest application', () => {
  const cleanups: (() => unknown)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function chatApp(options: Parameters<typeof StowageModule.forRoot>[0]) {
    return startApp({ imports: [StowageModule.forRoot(options)], controllers: [ChatController] });
  }

  it('keeps a conversation written over HTTP across an application restart', async () => {
    const folder = tempFolder();
    cleanups.push(folder.remove);
    const url = `sqlite:${join(folder.path, 'chat.db')}`;

    const first: INestApplication = await chatApp({ url, namespace: 'chat' });
    const server = first.getHttpServer();
    expect((await request(server).post('/chats/c1/messages').send({ text: 'hi' })).body).toEqual({
      length: 1,
    });
    expect((await request(server).post('/chats/c1/messages').send({ text: 'again' })).body).toEqual(
      { length: 2 },
    );
    await first.close();

    const second = await chatApp({ url, namespace: 'chat' });
    cleanups.push(() => second.close());
    const history = await request(second.getHttpServer()).get('/chats/c1/messages');
    expect(history.status).toBe(200);
    expect(history.body).toEqual([
      { role: 'user', text: 'hi' },
      { role: 'user', text: 'again' },
    ]);
  });

  it('isolates namespaces that share one SQLite file', async () => {
    const folder = tempFolder();
    cleanups.push(folder.remove);
    const path = join(folder.path, 'shared.db');
    const one = await chatApp({ adapter: sqliteAdapter({ path, namespace: 'one' }) });
    cleanups.push(() => one.close());
    await request(one.getHttpServer()).post('/chats/c1/messages').send({ text: 'only in one' });
    const two = await chatApp({ adapter: sqliteAdapter({ path, namespace: 'two' }) });
    cleanups.push(() => two.close());
    const reply = await request(two.getHttpServer()).get('/chats/c1/messages');
    expect(reply.body).toEqual([]);
  });
});

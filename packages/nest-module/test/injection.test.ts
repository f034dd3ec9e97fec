import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Put,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { getStorageToken, InjectStorage, StowageModule } from '../src/index.js';
import { startApp } from './support/nest-app.js';

@Injectable()
class NotesService {
  constructor(
    @InjectStorage() readonly main: Storage,
    @InjectStorage('cache') readonly cache: Storage,
  ) {}
}

@Controller('notes')
class NotesController {
  constructor(@Inject(NotesService) private readonly notes: NotesService) {}

  @Put(':id')
  async save(@Param('id') id: string, @Body() body: { text: string }) {
    const saved = await this.notes.main.sessions.save({ id, data: body });
    await this.notes.cache.kv.set(`seen:${id}`, true);
    return { version: saved.version };
  }

  @Get(':id')
  async read(@Param('id') id: string) {
    const found = await this.notes.main.sessions.get(id);
    if (!found) throw new NotFoundException();
    return found.data;
  }
}

const storageModules = () => [
  StowageModule.forRoot({ url: 'memory:' }),
  StowageModule.forRoot({ name: 'cache', adapter: memoryAdapter() }),
];

describe('injecting default and named storages', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('serves data written through the injected default storage over HTTP', async () => {
    app = await startApp({
      imports: storageModules(),
      controllers: [NotesController],
      providers: [NotesService],
    });
    const server = app.getHttpServer();
    const saved = await request(server).put('/notes/n1').send({ text: 'hello' });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ version: 1 });
    const read = await request(server).get('/notes/n1');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ text: 'hello' });
    expect((await request(server).get('/notes/missing')).status).toBe(404);
  });

  it('gives the same instance to @InjectStorage and to getStorageToken', async () => {
    app = await startApp({ imports: storageModules(), providers: [NotesService] });
    const service = app.get(NotesService);
    expect(app.get(getStorageToken())).toBe(service.main);
    expect(app.get(getStorageToken('cache'))).toBe(service.cache);
  });

  it('keeps a named storage apart from the default one', async () => {
    app = await startApp({
      imports: storageModules(),
      controllers: [NotesController],
      providers: [NotesService],
    });
    await request(app.getHttpServer()).put('/notes/n2').send({ text: 'kept apart' });
    const { main, cache } = app.get(NotesService);
    expect(main).not.toBe(cache);
    expect(await cache.kv.get('seen:n2')).toBe(true);
    expect(await main.kv.get('seen:n2')).toBeUndefined();
    expect(await cache.sessions.get('n2')).toBeNull();
  });

  it('fails at startup when an injected named storage was never registered', async () => {
    const compiling = Test.createTestingModule({
      imports: [StowageModule.forRoot({ url: 'memory:' })],
      providers: [NotesService],
    }).compile();
    await expect(compiling).rejects.toThrow(/StowageStorage:cache/);
  });

  it('refuses a ready storage mixed with createStorage options', async () => {
    const storage = createStorage(memoryAdapter());
    const compiling = Test.createTestingModule({
      imports: [
        StowageModule.forRoot({ storage, timeout: '1s' } as unknown as Parameters<
          typeof StowageModule.forRoot
        >[0]),
      ],
    }).compile();
    await expect(compiling).rejects.toMatchObject({
      code: 'CONFIG',
      adapter: 'nest',
      message: expect.stringContaining('timeout'),
    });
    await storage.close();
  });

  it('refuses a storage option that is not a Storage', async () => {
    const compiling = Test.createTestingModule({
      imports: [StowageModule.forRoot({ storage: { get: () => null } as unknown as Storage })],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ code: 'CONFIG', adapter: 'nest' });
  });

  it('refuses invalid createStorage options at startup with a ConfigError', async () => {
    const compiling = Test.createTestingModule({
      imports: [StowageModule.forRoot({ url: 'memory:', maxValueBytes: -1 })],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('refuses an empty storage name', () => {
    expect(() => getStorageToken('')).toThrow(/non-empty/);
  });
});

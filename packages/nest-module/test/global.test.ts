import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Storage } from '@stowage/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { InjectStorage, StowageModule } from '../src/index.js';
import { startApp } from './support/nest-app.js';

@Controller('counter')
class CounterController {
  constructor(@InjectStorage() private readonly storage: Storage) {}

  @Get()
  async hit() {
    return { hits: await this.storage.kv.increment('hits') };
  }
}

/** A feature module that does not import StowageModule itself. */
@Module({ controllers: [CounterController] })
class CounterModule {}

describe('isGlobal', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('lets a module that does not import StowageModule inject the storage', async () => {
    app = await startApp({
      imports: [StowageModule.forRoot({ url: 'memory:', isGlobal: true }), CounterModule],
    });
    const server = app.getHttpServer();
    expect((await request(server).get('/counter')).body).toEqual({ hits: 1 });
    expect((await request(server).get('/counter')).body).toEqual({ hits: 2 });
  });

  it('keeps the storage private to importing modules without isGlobal', async () => {
    const compiling = Test.createTestingModule({
      imports: [StowageModule.forRoot({ url: 'memory:' }), CounterModule],
    }).compile();
    await expect(compiling).rejects.toThrow(/StowageStorage/);
  });

  it('makes an async registration global too', async () => {
    app = await startApp({
      imports: [
        StowageModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ url: 'memory:' }),
        }),
        CounterModule,
      ],
    });
    expect((await request(app.getHttpServer()).get('/counter')).body).toEqual({ hits: 1 });
  });
});

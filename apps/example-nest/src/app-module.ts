import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { stowageSession } from '@stowage/express-middleware';
import {
  StowageModule,
  type StowageModuleOptions,
  StowageSessionModule,
} from '@stowage/nest-module';
import { AuthController } from './auth-controller.js';
import { CHAT_CONFIG, type ChatConfig } from './chat-config.js';
import { ChatService } from './chat-service.js';
import { ConversationsController } from './conversations-controller.js';
import { ChatErrorFilter } from './error-filter.js';
import { PagesController } from './pages-controller.js';

/** Provides the `ChatConfig` to the modules whose factories read it; see `chatConfigModule`. */
@Module({})
export class ChatConfigModule {}

/** The `ChatConfigModule` exporting `config` under `CHAT_CONFIG`. */
export function chatConfigModule(config: ChatConfig): DynamicModule {
  return {
    module: ChatConfigModule,
    providers: [{ provide: CHAT_CONFIG, useValue: config }],
    exports: [CHAT_CONFIG],
  };
}

function storageOptions(config: ChatConfig): StowageModuleOptions {
  if (config.storage) return { storage: config.storage };
  return {
    url: config.url as string,
    ...(config.namespace ? { namespace: config.namespace } : {}),
    ...(config.adapterOptions ? { adapterOptions: config.adapterOptions } : {}),
  };
}

/** The root module of the Nest chat; `appModule(config)` declares what it holds. */
@Module({})
export class AppModule {}

/**
 * The Nest chat for `config`: `StowageModule.forRootAsync` opens the storage from the
 * configuration (and closes it on shutdown when it created it), `StowageSessionModule` mounts
 * `stowageSession()` on the same storage, and `ChatService` gets the storage through
 * `@InjectStorage()`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(appModule({ url: 'sqlite:./chat.db', secret }));
 * ```
 */
export function appModule(config: ChatConfig): DynamicModule {
  const configModule = chatConfigModule(config);
  return {
    module: AppModule,
    imports: [
      StowageModule.forRootAsync({
        imports: [configModule],
        inject: [CHAT_CONFIG],
        useFactory: storageOptions,
      }),
      StowageSessionModule.forRootAsync({
        imports: [configModule],
        inject: [CHAT_CONFIG],
        useFactory: (chat: ChatConfig) => ({
          middleware: (storage) => stowageSession({ storage, secret: chat.secret }),
        }),
      }),
    ],
    controllers: [AuthController, ConversationsController, PagesController],
    providers: [ChatService, { provide: APP_FILTER, useClass: ChatErrorFilter }],
  };
}

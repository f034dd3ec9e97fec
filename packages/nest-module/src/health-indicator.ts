import type { ModuleRef } from '@nestjs/core';
import { ConfigError, type HealthReport, type JsonValue, type Storage } from '@stowage/core';
import { ADAPTER_NAME, getStorageToken } from './tokens.js';

/**
 * One entry of a health check result, shaped as @nestjs/terminus expects: `status` plus the
 * storage's report (adapter, latency, and on failure the error code and message).
 */
export type StowageHealthDetails = {
  status: 'up' | 'down';
  latencyMs: number;
  adapter: string;
} & { [field: string]: JsonValue };

/** A health indicator result: the check's key mapped to its details. */
export type StowageHealthResult<Key extends string = string> = Record<Key, StowageHealthDetails>;

/**
 * Reports whether a Stowage storage answers, for `HealthCheckService.check([...])` of
 * @nestjs/terminus (version 11 or later, which reads `status: 'down'` from the result instead of
 * needing a thrown `HealthCheckError`). Exported by `StowageModule`; it finds the default or a
 * named storage anywhere in the application.
 *
 * @example
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.stowage.isHealthy('storage')]); }
 * ```
 */
export class StowageHealthIndicator {
  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * Probes the storage registered under `name` (the default storage when omitted) with
   * `storage.health()`, whose deadline is the storage's `timeout`. Resolves to `up` or `down`
   * under `key`; never rejects for a backend failure, only for an unknown storage name.
   */
  async isHealthy<const Key extends string>(
    key: Key,
    name?: string,
  ): Promise<StowageHealthResult<Key>> {
    const report = await this.storageNamed(name).health();
    return { [key]: toDetails(report) } as StowageHealthResult<Key>;
  }

  private storageNamed(name: string | undefined): Storage {
    const token = getStorageToken(name);
    try {
      return this.moduleRef.get<Storage>(token, { strict: false });
    } catch (error) {
      throw new ConfigError(
        `No storage is registered as ${name === undefined ? 'the default storage' : JSON.stringify(name)}; register it with StowageModule.forRoot(${name === undefined ? '' : `{ name: ${JSON.stringify(name)}, ... }`})`,
        { adapter: ADAPTER_NAME, cause: error },
      );
    }
  }
}

function toDetails(report: HealthReport): StowageHealthDetails {
  return {
    ...report.details,
    status: report.ok ? 'up' : 'down',
    latencyMs: Math.round(report.latencyMs * 100) / 100,
  };
}

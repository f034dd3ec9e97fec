import assert from 'node:assert/strict';
import { StowageError, type StowageErrorCode } from '@stowage/core';
import type { ContractCase } from '../types.js';

export { assert };

/**
 * Awaits `promise` and asserts it rejects with a `StowageError` of `code`. Returns the error
 * so cases can check its fields.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: StowageErrorCode,
  message?: string,
): Promise<StowageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      error instanceof StowageError,
      `${message ?? 'call'}: expected a StowageError ${code}, got ${String(error)}`,
    );
    assert.equal(
      error.code,
      code,
      `${message ?? 'call'}: expected code ${code}, got ${error.code}: ${error.message}`,
    );
    return error;
  }
  assert.fail(`${message ?? 'call'}: expected a ${code} error, but it succeeded`);
}

/** Defines the cases of one group. */
export function group(name: string, cases: Omit<ContractCase, 'group'>[]): ContractCase[] {
  return cases.map((c) => ({ ...c, group: name }));
}

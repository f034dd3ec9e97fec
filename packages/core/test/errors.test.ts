import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ConnectionError,
  isStowageError,
  PayloadTooLargeError,
  redactUrl,
  StowageError,
  TimeoutError,
  ValidationError,
} from '../src/index.js';

describe('errors', () => {
  it('carry a stable code, the adapter name and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new ConnectionError('down', { adapter: 'redis', cause });
    expect(error).toBeInstanceOf(StowageError);
    expect(error.code).toBe('CONNECTION');
    expect(error.adapter).toBe('redis');
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(true);
    expect(error.name).toBe('ConnectionError');
  });

  it('describe conflicts with both versions', () => {
    const error = new ConflictError('s1', 3, 5);
    expect(error.currentVersion).toBe(5);
    expect(error.expectedVersion).toBe(3);
    expect(error.message).toContain('expected version 3');
    expect(new ConflictError('s1', 2, 0).message).toContain('no session');
  });

  it('type-guard by code', () => {
    expect(isStowageError(new ValidationError('bad'), 'VALIDATION')).toBe(true);
    expect(isStowageError(new ValidationError('bad'), 'CONFLICT')).toBe(false);
    expect(isStowageError(new Error('plain'))).toBe(false);
    expect(new TimeoutError('slow', 10).timeoutMs).toBe(10);
    expect(new PayloadTooLargeError(20, 10).message).toContain('maxValueBytes');
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('redis://:pw@cache:6379')).toBe('redis://:***@cache:6379');
    expect(redactUrl('postgres://db/x?password=s3cret&ssl=1')).toBe(
      'postgres://db/x?password=***&ssl=1',
    );
    expect(redactUrl('sqlite:./app.db')).toBe('sqlite:./app.db');
  });
});

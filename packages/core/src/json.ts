import { ValidationError } from './errors.js';

// A NUL, or a surrogate half without its partner. PostgreSQL's JSONB cannot store either, so
// every adapter refuses them the same way instead of one adapter failing late.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(path: string): string {
  return path === '' ? 'value' : path;
}

/** Throws `ValidationError` when a string contains U+0000 or an unpaired surrogate. */
export function assertStorableString(text: string, path: string): void {
  if (UNSTORABLE.test(text)) {
    throw new ValidationError(
      `${describe(path)} contains U+0000 or an unpaired UTF-16 surrogate, which Stowage does not store`,
    );
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type ToJson = { toJSON(key: string): unknown };

function hasToJson(value: object): value is ToJson {
  return typeof (value as Partial<ToJson>).toJSON === 'function';
}

function check(value: unknown, path: string, key: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      assertStorableString(value, path);
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new ValidationError(`${describe(path)} is ${value}, which JSON cannot represent`);
      }
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    case 'bigint':
      throw new ValidationError(`${describe(path)} is a BigInt, which JSON cannot represent`);
    case 'undefined':
      throw new ValidationError(`${describe(path)} is undefined, which JSON cannot represent`);
    default:
      throw new ValidationError(`${describe(path)} is a ${typeof value}, which is not JSON`);
  }
  if (value === null) return;
  if (ancestors.has(value)) {
    throw new ValidationError(`${describe(path)} is a circular reference`);
  }
  if (hasToJson(value)) {
    check(value.toJSON(key), path, key, ancestors);
    return;
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, String(i), ancestors);
  } else if (isPlainObject(value)) {
    for (const name of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[name];
      // JSON.stringify drops undefined properties; so do we, as users of JSON expect.
      if (child === undefined) continue;
      const childPath = path === '' ? name : `${path}.${name}`;
      assertStorableString(name, `key of ${describe(childPath)}`);
      check(child, childPath, name, ancestors);
    }
  } else {
    const kind = value.constructor?.name ?? 'object';
    throw new ValidationError(
      `${describe(path)} is a ${kind}, which is not JSON (use plain objects and arrays)`,
    );
  }
  ancestors.delete(value);
}

/**
 * Validates that `value` is JSON and returns its JSON text. Refuses functions, symbols,
 * BigInt, undefined (outside object properties), NaN/Infinity, circular structures, class
 * instances without `toJSON` (Map, Set, ...), U+0000 and unpaired surrogates, with a
 * `ValidationError` that names the offending path. Objects with `toJSON` (Date) are converted
 * the way `JSON.stringify` converts them.
 */
export function toJsonText(value: unknown, label = ''): string {
  check(value, label, '', new Set());
  return JSON.stringify(value);
}

import { ValidationError } from './errors.js';

// A NUL, or a surrogate half without its partner. PostgreSQL's JSONB cannot store either, so
// every adapter refuses them the same way instead of one adapter failing late.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Throws `ValidationError` when a string contains U+0000 or an unpaired surrogate. */
export function assertStorableString(text: string, what: string): void {
  if (UNSTORABLE.test(text)) throw unstorable(what);
}

function unstorable(what: string): ValidationError {
  return new ValidationError(
    `${what} contains U+0000 or an unpaired UTF-16 surrogate, which Stowage does not store`,
  );
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type ToJson = { toJSON(key: string): unknown };

function hasToJson(value: object): value is ToJson {
  return typeof (value as Partial<ToJson>).toJSON === 'function';
}

/**
 * Walks a value once. The path of the current position is kept as a stack of segments and
 * turned into text only when something is refused, so valid values cost no string building.
 */
class JsonChecker {
  private readonly segments: (string | number)[] = [];
  private readonly ancestors = new Set<object>();

  constructor(private readonly label: string) {}

  check(value: unknown, key: string): void {
    switch (typeof value) {
      case 'string':
        if (UNSTORABLE.test(value)) throw unstorable(this.path());
        return;
      case 'number':
        if (!Number.isFinite(value)) this.fail(`is ${value}, which JSON cannot represent`);
        return;
      case 'boolean':
        return;
      case 'object':
        if (value === null) return;
        this.checkObject(value, key);
        return;
      case 'bigint':
        this.fail('is a BigInt, which JSON cannot represent');
        return;
      case 'undefined':
        this.fail('is undefined, which JSON cannot represent');
        return;
      default:
        this.fail(`is a ${typeof value}, which is not JSON`);
    }
  }

  private checkObject(value: object, key: string): void {
    if (this.ancestors.has(value)) this.fail('is a circular reference');
    if (hasToJson(value)) {
      this.check(value.toJSON(key), key);
      return;
    }
    this.ancestors.add(value);
    const { segments } = this;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segments.push(i);
        this.check(value[i], String(i));
        segments.pop();
      }
    } else if (isPlainObject(value)) {
      for (const name of Object.keys(value)) {
        const child = (value as Record<string, unknown>)[name];
        // JSON.stringify drops undefined properties; so do we, as users of JSON expect.
        if (child === undefined) continue;
        segments.push(name);
        if (UNSTORABLE.test(name)) throw unstorable(`key of ${this.path()}`);
        this.check(child, name);
        segments.pop();
      }
    } else {
      const kind = value.constructor?.name ?? 'object';
      this.fail(`is a ${kind}, which is not JSON (use plain objects and arrays)`);
    }
    this.ancestors.delete(value);
  }

  private path(): string {
    let path = this.label;
    for (const segment of this.segments) {
      if (typeof segment === 'number') path += `[${segment}]`;
      else path = path === '' ? segment : `${path}.${segment}`;
    }
    return path === '' ? 'value' : path;
  }

  private fail(problem: string): never {
    throw new ValidationError(`${this.path()} ${problem}`);
  }
}

/**
 * Validates that `value` is JSON and returns its JSON text. Refuses functions, symbols,
 * BigInt, undefined (outside object properties), NaN/Infinity, circular structures, class
 * instances without `toJSON` (Map, Set, ...), U+0000 and unpaired surrogates, with a
 * `ValidationError` that names the offending path. Objects with `toJSON` (Date) are converted
 * the way `JSON.stringify` converts them.
 */
export function toJsonText(value: unknown, label = ''): string {
  // Fast path: a walk without path bookkeeping, and one scan of the output for the characters
  // Stowage refuses. Anything it is unsure about goes to the checker, which names the path.
  if (isPlainJson(value, 0)) {
    const text = JSON.stringify(value);
    // indexOf is several times cheaper than the regex, and most documents escape nothing.
    if (!text.includes('\\u') || !UNSTORABLE_ESCAPE.test(text)) return text;
  }
  new JsonChecker(label).check(value, '');
  return JSON.stringify(value);
}

/** Deeper than this, `isPlainJson` hands over to the checker, which also finds cycles. */
const PLAIN_JSON_MAX_DEPTH = 64;

/**
 * How `JSON.stringify` writes U+0000 and an unpaired surrogate (paired ones are written as
 * they are): `\u0000`, or `\ud800` to `\udfff`, where the backslash is not itself escaped.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

/**
 * Whether `value` is made only of strings, finite numbers, booleans, null, arrays and plain
 * objects without `toJSON`, so `JSON.stringify` writes it exactly. `false` means "let the
 * checker decide", not "invalid": Dates, for example, are valid but go the slow way.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= PLAIN_JSON_MAX_DEPTH || hasToJson(value)) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      const record = value as Record<string, unknown>;
      // for...in walks the object's own keys without allocating an array as Object.keys does.
      // It would also visit enumerable properties inherited from a polluted Object.prototype;
      // checking those too can only send a value to the checker, which uses Object.keys.
      for (const name in record) {
        const child = record[name];
        if (child !== undefined && !isPlainJson(child, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Key names of one namespace. Every key carries the namespace as its Redis Cluster hash tag
 * (`{ns}:...`), so a session, its messages, its idempotency records, the kv entries and all
 * the indexes of a namespace live in one slot and every Lua script stays atomic in Cluster.
 * The closing `}:` delimits the namespace, so `prod` and `prod2` can never share a key.
 */
export interface KeyLayout {
  /** Common prefix of every key of the namespace, for example `{stowage}:`. */
  readonly prefix: string;
  /** A key of the namespace that routes scripts to the namespace's slot. */
  readonly anchor: string;
  /** SCAN pattern matching every key of the namespace (the namespace has no glob characters). */
  readonly pattern: string;
}

/** The key layout of a namespace (already validated: letters, digits and `_` only). */
export function keyLayout(namespace: string): KeyLayout {
  const prefix = `{${namespace}}:`;
  return { prefix, anchor: `${prefix}ix:c`, pattern: `${prefix}*` };
}

/** Two lowercase hex digits for every byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).padStart(2, '0'),
);

/**
 * Encodes an id or key as 4 lowercase hex digits per UTF-16 code unit. The result has no `{`,
 * `}`, `*`, `:` or other glob and tag characters and round-trips lone surrogates. Code units
 * are remapped first (U+E000–U+FFFF down by 0x800, surrogates up past them) so that bytewise
 * order of the hex is Unicode code-point order (`compareIds` in core): Redis lex ranges then
 * list in exactly the order the contract asks for.
 */
export function encodeId(id: string): string {
  let out = '';
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    const rank = unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
    // A table lookup per byte: this runs on every call, and toString/padStart cost more.
    out += (HEX[rank >> 8] as string) + (HEX[rank & 0xff] as string);
  }
  return out;
}

/** Reverses `encodeId`. */
export function decodeId(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 4) {
    const rank = Number.parseInt(hex.slice(i, i + 4), 16);
    out += String.fromCharCode(
      rank >= 0xf800 ? rank - 0x2000 : rank >= 0xd800 ? rank + 0x800 : rank,
    );
  }
  return out;
}

/**
 * The member of a session in the ordering indexes: creation time as 16 hex digits, then the
 * encoded id. Lex order of members is therefore `(createdAt, id)` order.
 */
export function listMember(createdAt: number, encodedId: string): string {
  return Math.max(0, Math.trunc(createdAt)).toString(16).padStart(16, '0') + encodedId;
}

/** Encodes a label as `hex(name)=hex(value)`: the token used in label index keys and filters. */
export function labelToken(name: string, value: string): string {
  return `${encodeId(name)}=${encodeId(value)}`;
}

/** Label tokens remembered by name, then value; cleared when it holds `TOKEN_CACHE_SIZE`. */
const tokenCache = new Map<string, Map<string, string>>();
let cachedTokens = 0;
const TOKEN_CACHE_SIZE = 4096;

/**
 * `labelToken`, remembered: apps reuse a few label values (tenants, plans, user ids of active
 * users) on every save, and hex-encoding them char by char cost more than the rest of building
 * a save's arguments. The cache is bounded and holds only what labels already carry.
 */
function cachedLabelToken(name: string, value: string): string {
  let byValue = tokenCache.get(name);
  const hit = byValue?.get(value);
  if (hit !== undefined) return hit;
  if (cachedTokens >= TOKEN_CACHE_SIZE) {
    tokenCache.clear();
    cachedTokens = 0;
    byValue = undefined;
  }
  if (byValue === undefined) {
    byValue = new Map();
    tokenCache.set(name, byValue);
  }
  const token = labelToken(name, value);
  byValue.set(value, token);
  cachedTokens++;
  return token;
}

/** The label tokens of a label map, framed as `;a;b;` so Lua can test membership with one find. */
export function labelTokens(labels: Readonly<Record<string, string>>): string {
  let out = ';';
  for (const name in labels) {
    if (Object.hasOwn(labels, name)) out += `${cachedLabelToken(name, labels[name] as string)};`;
  }
  return out;
}

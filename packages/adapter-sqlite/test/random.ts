/** A small seeded generator (mulberry32), so a failing random test can be replayed by its seed. */
export interface Random {
  /** An integer in `[0, below)`. */
  int(below: number): number;
  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `n` distinct items of a list, in random order. */
  sample<T>(items: readonly T[], n: number): T[];
}

/** A generator whose sequence depends only on `seed`. */
export function random(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return {
    int,
    pick: (items) => items[int(items.length)] as (typeof items)[number],
    sample: (items, n) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
      }
      return copy.slice(0, n);
    },
  };
}

import { describe, expect, it } from 'vitest';
import { Deadlines } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Deadlines', () => {
  it('expires an entry once its time has passed, and only then', async () => {
    const deadlines = new Deadlines(5);
    const expired: string[] = [];
    const started = performance.now();
    deadlines.add(40, () => expired.push(`late ${Math.round(performance.now() - started)}`));
    await sleep(15);
    expect(expired).toEqual([]);
    await sleep(60);
    expect(expired).toHaveLength(1);
    expect(Number(expired[0]?.split(' ')[1])).toBeGreaterThanOrEqual(40);
  });

  it('remove takes an entry back before it expires, and reports one that already did', async () => {
    const deadlines = new Deadlines(5);
    let fired = 0;
    const kept = deadlines.add(20, () => fired++);
    const taken = deadlines.add(20, () => fired++);
    expect(deadlines.remove(taken)).toBe(true);
    expect(deadlines.remove(taken)).toBe(false);
    await sleep(50);
    expect(fired).toBe(1);
    expect(deadlines.remove(kept)).toBe(false);
  });

  it('keeps the others when entries in the middle, at the ends or all are removed', async () => {
    const deadlines = new Deadlines(5);
    const fired: number[] = [];
    const entries = [0, 1, 2, 3, 4].map((i) => deadlines.add(20, () => fired.push(i)));
    for (const i of [0, 2, 4]) deadlines.remove(entries[i] as (typeof entries)[number]);
    await sleep(50);
    expect(fired.sort()).toEqual([1, 3]);
    // Empty again: new entries still expire.
    deadlines.add(10, () => fired.push(5));
    await sleep(40);
    expect(fired).toContain(5);
  });

  it('an expiry may add and remove entries', async () => {
    const deadlines = new Deadlines(5);
    const fired: string[] = [];
    let second: ReturnType<Deadlines['add']> | undefined;
    deadlines.add(10, () => {
      fired.push('first');
      if (second) deadlines.remove(second);
      deadlines.add(10, () => fired.push('added'));
    });
    second = deadlines.add(10, () => fired.push('second'));
    await sleep(80);
    expect(fired).toEqual(['first', 'added']);
  });

  it('race settles with the task, or with the timeout error', async () => {
    const deadlines = new Deadlines(5);
    await expect(deadlines.race(Promise.resolve(7), 50, () => new Error('late'))).resolves.toBe(7);
    const never = new Promise<number>(() => {});
    await expect(deadlines.race(never, 20, () => new Error('late'))).rejects.toThrow('late');
  });
});

import { describe, expect, it } from 'vitest';
import { keptFor } from './kept.ts';

/** A load the test finishes when it wants, counting how often it was started. */
function controlledLoad<T>() {
  let started = 0;
  const pending: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
  return {
    load: () => {
      started += 1;
      return new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
    },
    started: () => started,
    resolve: (value: T) => pending.shift()?.resolve(value),
    reject: (error: Error) => pending.shift()?.reject(error),
  };
}

describe('answers kept for a few seconds', () => {
  it('requests asking while the answer loads wait for that one load', async () => {
    const kept = keptFor<number>(5_000);
    const counting = controlledLoad<number>();
    const asked = Array.from({ length: 20 }, () => kept.get('community', counting.load));
    counting.resolve(7);
    expect(await Promise.all(asked)).toEqual(Array.from({ length: 20 }, () => 7));
    expect(counting.started()).toBe(1);
    // Kept: asked again, not loaded again.
    expect(await kept.get('community', counting.load)).toBe(7);
    expect(counting.started()).toBe(1);
  });

  it('keeps each key apart, loads again when its time is up, and at once when forgotten', async () => {
    const kept = keptFor<string>(30);
    expect(await kept.get('a', async () => 'a1')).toBe('a1');
    expect(await kept.get('b', async () => 'b1')).toBe('b1');
    expect(await kept.get('a', async () => 'a2')).toBe('a1');
    kept.forget('a');
    expect(await kept.get('a', async () => 'a3')).toBe('a3');
    expect(await kept.get('b', async () => 'b2')).toBe('b1');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await kept.get('b', async () => 'b3')).toBe('b3');
  });

  it('runs a load once even when it is only like a promise (a query builder runs again each time it is awaited)', async () => {
    const kept = keptFor<number>(5_000);
    let ran = 0;
    const query = {
      then(resolve: (value: number) => void) {
        ran += 1;
        resolve(ran);
      },
    };
    const load = () => query as unknown as Promise<number>;
    expect(await kept.get('community', load)).toBe(1);
    expect(await kept.get('community', load)).toBe(1);
    expect(ran).toBe(1);
  });

  it('does not keep a failed load: those waiting on it load for themselves', async () => {
    const kept = keptFor<number>(5_000);
    const failing = controlledLoad<number>();
    const first = kept.get('community', failing.load);
    const waiting = kept.get('community', async () => 2);
    failing.reject(new Error('the first request’s transaction failed'));
    await expect(first).rejects.toThrow(/transaction failed/);
    expect(await waiting).toBe(2);
    expect(await kept.get('community', async () => 3)).toBe(2);
    expect(failing.started()).toBe(1);
  });
});

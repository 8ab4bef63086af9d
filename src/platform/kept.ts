import { afterCommit } from './db/transactions.ts';

/**
 * Answers kept for a few seconds per key (a community): for numbers a busy page shows on every
 * request and that may be a few seconds old. This process forgets a key when it changes what
 * the answer counts; other processes' changes show when the time is up.
 *
 * Requests that ask while the answer is being loaded wait for that one load rather than each
 * starting its own: when a kept count ran out under load, every request in flight used to count
 * again at once. A load that fails is not kept, and those waiting on it load for themselves.
 */
export function keptFor<T>(milliseconds: number) {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  const loadAndKeep = (key: string, load: () => Promise<T>): Promise<T> => {
    // A real promise, read once: a query builder is only like one, and runs again each time it is awaited.
    const value = Promise.resolve(load());
    const entry = { at: Date.now(), value };
    kept.set(key, entry);
    value.then(
      // Kept from when it was loaded, not from when it was asked for.
      () => {
        entry.at = Date.now();
      },
      () => {
        if (kept.get(key) === entry) kept.delete(key);
      },
    );
    return value;
  };
  return {
    async get(key: string, load: () => Promise<T>): Promise<T> {
      const found = kept.get(key);
      if (found && Date.now() - found.at < milliseconds) {
        try {
          return await found.value;
        } catch {
          // Another request's load failed (its transaction, not this one's): load for this one.
          return loadAndKeep(key, load);
        }
      }
      return loadAndKeep(key, load);
    },
    /**
     * Forgets the answer now, and again once the transaction making the change commits: a
     * request that asked in between read the answer before the change and must not keep it.
     */
    forget(key: string): void {
      kept.delete(key);
      afterCommit(() => kept.delete(key));
    },
  };
}

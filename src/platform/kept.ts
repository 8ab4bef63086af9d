/**
 * Answers kept for a few seconds per key (a community): for numbers a busy page shows on every
 * request and that may be a few seconds old. This process forgets a key when it changes what
 * the answer counts; other processes' changes show when the time is up.
 */
export function keptFor<T>(milliseconds: number) {
  const kept = new Map<string, { at: number; value: T }>();
  return {
    async get(key: string, load: () => Promise<T>): Promise<T> {
      const found = kept.get(key);
      if (found && Date.now() - found.at < milliseconds) return found.value;
      const value = await load();
      kept.set(key, { at: Date.now(), value });
      return value;
    },
    forget(key: string): void {
      kept.delete(key);
    },
  };
}

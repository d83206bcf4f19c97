/**
 * Polls `fn` until it gives a value (anything but undefined, null or false) and returns it; after `timeoutMs` fails
 * with what it waited for and, if given, what the processes involved printed (`context`).
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`No ocurrió en ${timeoutMs / 1000} s: ${what}.${opts.context ? `\n${opts.context()}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

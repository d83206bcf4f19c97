import { MemoryRateLimitStore, minutesText, TooManyRequests } from './rate-limit';

describe('MemoryRateLimitStore (fixed windows)', () => {
  it('counts per key within a window that starts at the first hit, then starts over', async () => {
    let now = 10;
    const s = new MemoryRateLimitStore(() => now);
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push((await s.hit('a', 1000)).count);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await s.hit('b', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    now = 1009;
    expect(await s.peek('a')).toEqual({ count: 4, resetInMs: 1 });
    expect((await s.hit('a', 1000)).count).toBe(5);
    now = 1010;
    expect(await s.peek('a')).toEqual({ count: 0, resetInMs: 0 });
    expect(await s.hit('a', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('peek does not count; clear forgets every key under a prefix and nothing else', async () => {
    const s = new MemoryRateLimitStore(() => 0);
    await s.hit('entrar:usuario:ana:1.2.3.4', 1000);
    await s.hit('entrar:usuario:ana:5.6.7.8', 1000);
    await s.hit('entrar:usuario:anabel:1.2.3.4', 1000);
    expect((await s.peek('entrar:usuario:ana:1.2.3.4')).count).toBe(1);
    expect((await s.peek('entrar:usuario:ana:1.2.3.4')).count).toBe(1);
    await s.clear('entrar:usuario:ana:');
    expect((await s.peek('entrar:usuario:ana:1.2.3.4')).count).toBe(0);
    expect((await s.peek('entrar:usuario:ana:5.6.7.8')).count).toBe(0);
    expect((await s.peek('entrar:usuario:anabel:1.2.3.4')).count).toBe(1);
  });
});

describe('TooManyRequests', () => {
  it('rounds the wait up to whole seconds (Retry-After) and minutes (the message)', () => {
    expect(new TooManyRequests('X', 'espere', 1).retryAfterSeconds).toBe(1);
    expect(new TooManyRequests('X', 'espere', 60_001).retryAfterSeconds).toBe(61);
    expect(minutesText(1)).toBe('1 minuto');
    expect(minutesText(14 * 60_000 + 1)).toBe('15 minutos');
  });
});

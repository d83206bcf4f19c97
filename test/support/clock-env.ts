/**
 * The variables that carry the test's clock to a child process: under `npm run test:future` (Debian's libfaketime) the
 * suite's clock is moved, and a product process it starts (web, worker, a CLI) must read the same time, or a
 * certificate, a link or a deadline made by one is judged by the other on another day. Servers the tests start for
 * themselves (redis-server, slapd) keep the machine's clock, like the shared MariaDB.
 */
const CLOCK_VARIABLES = /^(LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC)$/;

export function testClockEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && CLOCK_VARIABLES.test(k)) out[k] = v;
  return out;
}

/** `env` without the test's clock: for servers, which keep the machine's. */
export function withoutTestClock(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !CLOCK_VARIABLES.test(k)));
}

// Per-project timeouts: Jest reads `testTimeout` only from the top-level config, so each project passes its own through
// `globals.TEST_TIMEOUT_MS` (jest.config.js) and every test file starts with it. An explicit timeout on a test still wins.
const ms = (globalThis as { TEST_TIMEOUT_MS?: number }).TEST_TIMEOUT_MS;
if (typeof ms === 'number') jest.setTimeout(ms);

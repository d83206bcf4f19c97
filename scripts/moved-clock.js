// npm run test:future — the suites again with the clock moved ahead (default 400 days; MOVED_CLOCK=+800d for another),
// through Debian's libfaketime. Nothing in the product or its tests may depend on today's date: a certificate, a demo
// date, a year's holidays or a deadline that only works this month fails here. Servers the tests start themselves
// (redis-server) keep the machine's clock, like the shared MariaDB.
const { spawnSync } = require('node:child_process');

const offset = process.env.MOVED_CLOCK || '+400d';
if (spawnSync('sh', ['-c', 'command -v faketime'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    'Las pruebas con el reloj adelantado necesitan "faketime": instálelo con  apt-get install -y --no-install-recommends faketime',
  );
  process.exit(1);
}
const jest = require.resolve('jest/bin/jest');
console.error(`Pruebas con el reloj adelantado ${offset} (faketime).`);
const r = spawnSync('faketime', ['-f', offset, process.execPath, jest, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);

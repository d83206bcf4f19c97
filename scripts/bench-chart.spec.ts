// The benchmark's results file (test/bench/chart.ts): chart, file name and header. Here, not beside it in test/bench,
// because the unit project runs the specs of src/, machines/ and scripts/ (jest.config.js).
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  chooseResultName,
  collectHeader,
  escapeXml,
  formatHeader,
  memorySnapshot,
  ratioBars,
  ratioOf,
  renderChart,
  resultDate,
  safeUrl,
  writeResultFiles,
} from '../test/bench/chart';
import type { Measurement } from '../test/bench/stats';

const ROOT = resolve(__dirname, '..');

function m(id: string, medianMs: number, extra: Partial<Measurement> = {}): Measurement {
  return {
    section: 'motor',
    id,
    label: id,
    kind: 'base',
    summary: {
      n: 10,
      medianMs,
      p95Ms: medianMs,
      meanMs: medianMs,
      minMs: medianMs,
      maxMs: medianMs,
      opsPerSec: 1000 / medianMs,
      unit: 'evento',
      unitsPerSample: 1,
    },
    memory: { rssPeakMb: 0, heapRetainedMb: 0 },
    ...extra,
  };
}

const hasXmllint = ((): boolean => {
  try {
    execSync('command -v xmllint', { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
})();

/** Well-formed XML, as xmllint reads it (when it is on PATH; it is on the CI machine). */
function expectWellFormed(svg: string): void {
  expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  if (!hasXmllint) return;
  const r = spawnSync('xmllint', ['--noout', '-'], { input: svg, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

const sample: Measurement[] = [
  m('engine.xstate', 0.1, { short: 'xstate' }),
  m('engine.sql', 0.5, { short: 'sql' }),
  m('engine.send', 1, {
    kind: 'producto',
    label: 'EngineService.send <motor> & "SQLite"',
    compareWith: ['engine.xstate', 'engine.sql'],
  }),
  m('letters.raw', 20, { section: 'oficios', short: 'pdfkit' }),
  m('letters.signed', 25, {
    section: 'oficios',
    kind: 'producto',
    label: 'Oficio firmado',
    compareWith: ['letters.raw'],
    goal: 0.6,
  }),
  m('letters.acuse', 50, {
    section: 'oficios',
    kind: 'producto',
    label: 'Acuse',
    compareWith: ['letters.raw'],
    goal: 0.6,
  }),
  m('inbox.http', 3, { section: 'bandeja', kind: 'producto', label: 'GET /api/bandeja' }),
];

describe('bench chart: ratios', () => {
  it('is the baseline median over the product median (the product throughput as a fraction of raw)', () => {
    expect(ratioOf(m('p', 2, { kind: 'producto' }), m('b', 1))).toBe(0.5);
    expect(ratioOf(m('p', 1, { kind: 'producto' }), m('b', 1))).toBe(1);
    expect(ratioOf(m('p', 0, { kind: 'producto' }), m('b', 1))).toBeUndefined();
    expect(ratioOf(m('p', 1, { kind: 'producto' }), m('b', 0))).toBeUndefined();
    expect(ratioOf(m('p', NaN, { kind: 'producto' }), m('b', 1))).toBeUndefined();
  });

  it('gives one bar per product and baseline, skips products without baselines and baselines not in the run', () => {
    const bars = ratioBars([
      ...sample,
      m('lost', 1, { kind: 'producto', compareWith: ['not.measured'] }),
      m('base.with.compare', 1, { compareWith: ['engine.sql'] }),
    ]);
    expect(bars.map((b) => [b.id, b.against, b.ratio, b.goal])).toEqual([
      ['engine.send', 'xstate', 0.1, undefined],
      ['engine.send', 'sql', 0.5, undefined],
      ['letters.signed', 'pdfkit', 0.8, 0.6],
      ['letters.acuse', 'pdfkit', 0.4, 0.6],
    ]);
  });

  it('puts a goal on the bar of the first baseline only (the others are references beside it)', () => {
    const bars = ratioBars([
      m('tx', 1, { short: 'tx' }),
      m('narrow', 0.5, { short: 'raw' }),
      m('p', 2, { kind: 'producto', compareWith: ['tx', 'narrow'], goal: 0.3 }),
    ]);
    expect(bars.map((b) => [b.against, b.ratio, b.goal])).toEqual([
      ['tx', 0.5, 0.3],
      ['raw', 0.25, undefined],
    ]);
  });
});

describe('bench chart: XML', () => {
  it('escapes the five XML characters and drops the control characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`a & b < c > "d" 'e'`)).toBe('a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;');
    expect(escapeXml('x\u0000y\u001Fz\ttab\nlínea ñ')).toBe('xyz\ttab\nlínea ñ');
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });

  it('draws each product bar grouped by section, its value, and a goal line only where one is stated', () => {
    const svg = renderChart(sample, { subtitle: '2026-12-04 · <abc1234> & Node' });
    expectWellFormed(svg);
    expect(svg).toContain('EngineService.send &lt;motor&gt; &amp; &quot;SQLite&quot; (vs xstate)');
    expect(svg).not.toContain('<motor>');
    expect(svg).toContain('&lt;abc1234&gt; &amp; Node');
    for (const section of ['>Motor<', '>Oficios<']) expect(svg).toContain(section);
    expect(svg).not.toContain('>Bandeja<'); // its only product row has no baseline
    expect(svg.indexOf('>Motor<')).toBeLessThan(svg.indexOf('>Oficios<'));
    expect(svg).toContain('>0.10<');
    expect(svg).toContain('>0.50<');
    expect(svg).toContain('>0.80 (meta 0.60)<');
    expect(svg).toContain('>0.40 (meta 0.60)<');
    expect(svg.match(/<rect [^>]*fill="#4a78b0"\/>/g)).toHaveLength(3); // 2 bars without goal + the legend
    expect(svg.match(/stroke="#c62828"/g)).toHaveLength(3); // 2 goal lines + the legend
    expect(svg).toContain('fill="#3f9a52"'); // 0.80 meets 0.60
    expect(svg).toContain('fill="#e08a2c"'); // 0.40 does not
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('gives a valid SVG that says so when there is nothing to chart', () => {
    for (const input of [[], [m('only.base', 1)], [m('p', 1, { kind: 'producto' })]]) {
      const svg = renderChart(input);
      expectWellFormed(svg);
      expect(svg).toContain('sin mediciones');
      expect(svg).not.toContain('<rect x=');
    }
  });

  it('widens the axis past 1.00 when a product is faster than its baseline or a goal is above it', () => {
    const svg = renderChart([m('b', 3), m('p', 1, { kind: 'producto', compareWith: ['b'], goal: 3.5 })]);
    expectWellFormed(svg);
    expect(svg).toContain('>3.00 (meta 3.50)<');
    expect(svg).toContain('>3.50<'); // the last tick: the goal
  });
});

describe('bench results file name', () => {
  it('is the date in Mexico City', () => {
    expect(resultDate(new Date('2026-12-04T05:59:00Z'))).toBe('2026-12-03');
    expect(resultDate(new Date('2026-12-04T06:00:00Z'))).toBe('2026-12-04');
    expect(resultDate(new Date('2027-01-01T05:00:00Z'))).toBe('2026-12-31');
  });

  it('adds -2, -3… instead of overwriting', () => {
    expect(chooseResultName('2026-12-04', () => false)).toBe('2026-12-04');
    const taken = new Set(['2026-12-04', '2026-12-04-2']);
    expect(chooseResultName('2026-12-04', (n) => taken.has(n))).toBe('2026-12-04-3');
  });

  it('writes the JSON and the chart side by side, never over an earlier run (JSON or chart alone)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mci-bench-results-'));
    try {
      const out = join(dir, 'bench', 'results');
      const first = writeResultFiles(out, '2026-12-04', '{"a":1}\n', '<svg/>');
      expect(first).toEqual({ json: join(out, '2026-12-04.json'), svg: join(out, '2026-12-04.svg') });
      const second = writeResultFiles(out, '2026-12-04', '{"a":2}\n', '<svg/>');
      expect(second.json).toBe(join(out, '2026-12-04-2.json'));
      writeFileSync(join(out, '2026-12-04-3.svg'), '<svg/>');
      const third = writeResultFiles(out, '2026-12-04', '{"a":3}\n', '<svg/>');
      expect(third.json).toBe(join(out, '2026-12-04-4.json'));
      expect(readFileSync(first.json, 'utf8')).toBe('{"a":1}\n');
      expect(readdirSync(out).sort()).toEqual([
        '2026-12-04-2.json',
        '2026-12-04-2.svg',
        '2026-12-04-3.svg',
        '2026-12-04-4.json',
        '2026-12-04-4.svg',
        '2026-12-04.json',
        '2026-12-04.svg',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench header', () => {
  it('says MariaDB is not available when it cannot connect, and still gives the rest', async () => {
    const header = await collectHeader({
      root: ROOT,
      mysqlUrl: 'mysql://root@127.0.0.1:1',
      mysqlTimeoutMs: 1000,
      args: ['--quick', '--solo', 'oficios'],
    });
    expect(header.mariadb.available).toBe(false);
    const lines = formatHeader(header);
    expect(lines.find((l) => l.startsWith('MariaDB'))).toMatch(
      /^MariaDB \(mysql:\/\/root@127\.0\.0\.1:1\): no disponible \(.+\)$/,
    );

    const typeorm = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typeorm', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(header.packages.typeorm).toBe(typeorm.version);
    expect(Object.keys(header.packages)).toEqual([
      'typeorm',
      'xstate',
      'better-sqlite3',
      'mysql2',
      'bull',
      'ioredis',
      '@nestjs/core',
    ]);
    expect(Object.values(header.packages)).not.toContain('no instalado');
    expect(header.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(header.node).toBe(process.version);
    expect(header.machine.cores).toBeGreaterThan(0);
    expect(header.load.atStart).toHaveLength(3);
    expect(header.command).toContain('--quick --solo oficios');
    if ('dirty' in header.git) expect(header.git.commit).toMatch(/^[0-9a-f]{4,}$/);
    expect(lines).toHaveLength(8);
    expect(lines.join('\n')).not.toMatch(/undefined|NaN/);
    // The memory at the start (Linux), and a dash until the run ends.
    expect(lines.find((l) => l.startsWith('Memoria'))).toMatch(
      /^Memoria \/ memory: al empezar [\d,]+ MB de caché de páginas, [\d,]+ MB disponibles; al terminar —$/,
    );
  });

  it('reads the page cache and the memory available from /proc/meminfo, and nothing where there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meminfo-'));
    try {
      const file = join(dir, 'meminfo');
      writeFileSync(
        file,
        'MemTotal:       24683520 kB\nMemFree:        20224000 kB\nMemAvailable:   21766144 kB\nBuffers:           10240 kB\nCached:          1925120 kB\nSwapCached:            0 kB\n',
      );
      expect(memorySnapshot(file)).toEqual({ availableMb: 21256, pageCacheMb: 1880 });
      writeFileSync(file, 'MemTotal:       24683520 kB\n');
      expect(memorySnapshot(file)).toBeNull();
      expect(memorySnapshot(join(dir, 'no-existe'))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never prints a password', () => {
    expect(safeUrl('mysql://root:s3creta@db:3306')).toBe('mysql://root:***@db:3306');
    expect(safeUrl('mysql://root@127.0.0.1:3306')).toBe('mysql://root@127.0.0.1:3306');
  });
});

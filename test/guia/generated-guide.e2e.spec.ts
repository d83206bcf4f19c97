/**
 * `npm run guia` end to end: the CLI writes the Markdown and the PDF from the machines; the Markdown's tables are read
 * back and held against the guide's own text (docs/guia), table by table and step by step, word for word: capitals,
 * punctuation and responsables' names count, only line breaks and spaces are layout. The only differences allowed are
 * the corrections the catalog lists, each named by its number; any other difference fails, and so does an allowance
 * no longer needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guideResponsables, guideSection, guideStepNumbers } from '../support/machine-drive';
import { GUIDE_VERSIONS, CURRENT_PROCEDURES } from '../../machines/index';
import { CORRECTIONS, type CorrectionChange, correctionByNumber } from '../../src/guia/corrections';
import { LINK_VALIDITY_HOURS } from '../../src/mail/account-mails';
import { type GuideText, loadGuideText, parseGuide } from '../../src/guia/guide-text';

const ROOT = resolve(__dirname, '..', '..');
/** The issue date of Versión 01 as the cover writes it ("28 de noviembre de 2026"), from the catalog's own record. */
const VERSION_FECHA = new Intl.DateTimeFormat('es-MX', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'America/Mexico_City',
}).format(new Date(`${GUIDE_VERSIONS['01'].fecha}T18:00:00Z`));

/**
 * Every difference between the generated tables and the guide that a correction explains, with that correction's
 * number (or the numbers, when two corrections rewrite the same text). Keys: "<section> titulo", "<section> orden",
 * "<section>#<no> <responsable|actividad|numero>", "portada".
 */
const ALLOWED: Record<string, number | readonly number[]> = {
  portada: 1,
  '5.1.1#1 actividad': 2,
  '5.3.1 titulo': 3,
  '5.3.2 titulo': 3,
  '5.4 titulo': 3,
  '5.5 titulo': 3,
  '5.5#1 actividad': 4,
  '5.5#11 actividad': 5,
  '5.5#14 actividad': 5,
  '5.2.1 orden': 6,
  '5.3.1#6a numero': 7,
  '5.3.1 orden': 7,
  '5.3.1#9 responsable': 8,
  '5.3.1#10 responsable': 8,
  '5.3.2#14 responsable': 8,
  '5.3.2#15 responsable': 8,
  '5.5#14 responsable': 8,
  '5.5#15 responsable': 8,
  '5.4#11 actividad': [9, 11],
  '5.3.2#4 responsable': 10,
  // Correction 12: one name for the system ("Sistema" in these tables, the full name in 5.1.x).
  '5.2.3#7 responsable': 12,
  '5.3.2#8 responsable': 12,
  '5.4#9 responsable': 12,
  '5.5#8 responsable': 12,
  '5.2.1#14 responsable': 13,
  // Correction 14: a school that already has its account is answered with it, never given a second one or a reset.
  '5.2.1#7 actividad': 14,
  // Correction 11: no password by e-mail, in a letter or handed over; a single-use link to set it instead.
  '5.1.1#16 actividad': 11,
  '5.1.2#16 actividad': 11,
  '5.2.1#8 actividad': 11,
  '5.2.1#10 actividad': 11,
  '5.2.1#13 actividad': 11,
  '5.2.3#9 actividad': 11,
  '5.3.1#6a actividad': 11,
  '5.3.1#6 actividad': 11,
  '5.3.1#9 actividad': 11,
  '5.3.2#10 actividad': 11,
  '5.3.2#11 actividad': 11,
  '5.3.2#14 actividad': 11,
  '5.4#12 actividad': 11,
  '5.4#15 actividad': 11,
};
const numbersOf = (key: string): number[] => [ALLOWED[key]].flat();
/** The part of the guide an ALLOWED key says differs: what the correction must declare it `cambia`. */
const changeOf = (key: string): CorrectionChange => {
  const kind = key === 'portada' ? 'portada' : (key.split(' ').at(-1) ?? '');
  if (!['actividad', 'responsable', 'numero', 'orden', 'titulo', 'portada'].includes(kind))
    throw new Error(`Clave de ALLOWED sin tipo: ${key}`);
  return kind as CorrectionChange;
};

interface MdRow {
  no: string;
  /** The cell as written ('' when left empty). */
  cell: string;
  /** The responsable in effect (an empty cell repeats the row above). */
  responsable: string;
  actividad: string;
  /** Corrections the row's marker names. */
  marked: number[];
}
interface MdTable {
  section: string;
  heading: string;
  title: string;
  titleMarked: number[];
  rows: MdRow[];
}
interface MdGuide {
  version: string;
  tables: MdTable[];
  /** "### n. título" entries of the corrections section. */
  corrections: number[];
}

const MARKER = /\s*\*\((?:corrección|correcciones) ([\d, ]+)\)\*$/;
const markedOf = (text: string): [string, number[]] => {
  const m = MARKER.exec(text);
  return m ? [text.slice(0, m.index), m[1].split(',').map((n) => Number(n.trim()))] : [text, []];
};
const unescapeCell = (s: string): string => s.replace(/<br>/g, '\n').replace(/\\\|/g, '|').trim();

/** Reads the generated Markdown back: its version line, the section tables and the corrections listed. */
function readMarkdown(md: string): MdGuide {
  const lines = md.split('\n');
  const version = /^\*\*Versión (\S+)\*\*/m.exec(md)?.[1] ?? '';
  const tables: MdTable[] = [];
  let current: MdTable | undefined;
  const corrections: number[] = [];
  let inCorrections = false;
  for (const line of lines) {
    const h2 = /^## (5(?:\.\d+)+) (.+)$/.exec(line);
    if (h2) {
      current = { section: h2[1], heading: h2[2], title: '', titleMarked: [], rows: [] };
      tables.push(current);
      continue;
    }
    if (line.startsWith('## ')) {
      current = undefined;
      inCorrections = line === '## Correcciones aplicadas a la guía';
      continue;
    }
    const h3 = /^### (\d+)\. /.exec(line);
    if (h3 && inCorrections) corrections.push(Number(h3[1]));
    if (!current) continue;
    const title = /^\*\*(.+)\*\*(.*)$/.exec(line);
    if (title && !current.title) {
      current.title = title[1];
      current.titleMarked = markedOf(title[2])[1];
      continue;
    }
    const row = /^\| ([0-9]+a?) \| (.*?) \| (.*) \|$/.exec(line);
    if (row) {
      const cell = unescapeCell(row[2]);
      const [actividad, marked] = markedOf(row[3]);
      const previous = current.rows[current.rows.length - 1];
      current.rows.push({
        no: row[1],
        cell,
        responsable: cell || previous?.responsable || '',
        actividad: unescapeCell(actividad),
        marked,
      });
    }
  }
  return { version, tables, corrections };
}

/**
 * Layout only: line breaks and runs of spaces (a cell the guide wraps, the list of 5.1.x paso 1). Capitalisation,
 * punctuation, accents and quotes all count: the generated guide never differs from the guide silently.
 */
const layout = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Every difference between the generated guide and the guide's text, as ALLOWED keys. */
function differences(md: MdGuide, guide: GuideText): string[] {
  const out: string[] = [];
  if (
    md.version !== guide.coverVersion.padStart(2, '0') ||
    guide.changeTableVersions.some((v) => v !== guide.coverVersion)
  ) {
    out.push('portada');
  }
  const sections = new Set([...md.tables.map((t) => t.section), ...guide.tables.map((t) => t.section)]);
  for (const section of sections) {
    const ours = md.tables.find((t) => t.section === section);
    const theirs = guide.tables.find((t) => t.section === section);
    if (!ours || !theirs) {
      out.push(`${section} ${ours ? 'tabla de más' : 'tabla faltante'}`);
      continue;
    }
    if (layout(ours.heading) !== layout(theirs.heading)) out.push(`${section} encabezado`);
    if (layout(ours.title) !== layout(theirs.title)) out.push(`${section} titulo`);
    const ourNos = ours.rows.map((r) => r.no);
    const theirNos = theirs.rows.map((r) => r.no);
    if ([...ourNos].sort().join() !== [...theirNos].sort().join()) {
      for (const no of ourNos.filter((n) => !theirNos.includes(n))) out.push(`${section}#${no} paso de más`);
      for (const no of theirNos.filter((n) => !ourNos.includes(n))) out.push(`${section}#${no} paso faltante`);
    } else if (ourNos.join() !== theirNos.join()) {
      out.push(`${section} orden`);
    }
    for (const row of ours.rows) {
      const g = theirs.rows.find((r) => r.no === row.no);
      if (!g) continue;
      if (!g.numerado) out.push(`${section}#${row.no} numero`);
      // The name as the guide prints it: a renamed responsable is a difference like any other.
      if (row.responsable !== g.responsable) out.push(`${section}#${row.no} responsable`);
      if (layout(row.actividad) !== layout(g.actividad)) out.push(`${section}#${row.no} actividad`);
    }
  }
  return out;
}

describe('npm run guia (generated guide vs the guide)', () => {
  let outDir: string;
  let stdout: string;
  let markdown: string;
  let md: MdGuide;
  const guide = parseGuide(loadGuideText().text);
  const rawGuide = loadGuideText().text;

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'mci-guia-'));
    stdout = execFileSync(process.execPath, ['-r', './scripts/register.js', 'src/cli/guia.ts', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    markdown = readFileSync(join(outDir, 'guia-v01.md'), 'utf8');
    md = readMarkdown(markdown);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('says what it did and where it wrote', () => {
    expect(stdout).toContain(`Escrito ${join(outDir, 'guia-v01.md')}`);
    expect(stdout).toMatch(
      new RegExp(`Escrito ${join(outDir, 'guia-v01.pdf').replace(/[.\\/]/g, '\\$&')} \\(\\d+ KB\\)`),
    );
    expect(stdout).toContain('9 tablas');
  });

  it('reads the guide the same way as the machines’ own reader (step numbers and responsables)', () => {
    for (const t of guide.tables) {
      const text = guideSection(rawGuide, t.section);
      expect([t.section, t.rows.map((r) => r.no)]).toEqual([t.section, guideStepNumbers(text)]);
      const theirs = guideResponsables(text);
      for (const r of t.rows) expect([t.section, r.no, r.responsable]).toEqual([t.section, r.no, theirs.get(r.no)]);
    }
    expect(guide.tables.map((t) => t.section)).toEqual([
      '5.1.1',
      '5.1.2',
      '5.2.1',
      '5.2.2',
      '5.2.3',
      '5.3.1',
      '5.3.2',
      '5.4',
      '5.5',
    ]);
  });

  it('writes a table for every table of every procedure of the catalog', () => {
    expect(md.tables.map((t) => t.section)).toEqual(
      CURRENT_PROCEDURES.flatMap((p) => p.guideTables.map((t) => t.section)),
    );
    for (const t of md.tables) expect([t.section, t.rows.length > 0, t.title !== '']).toEqual([t.section, true, true]);
  });

  it('leaves the Responsable cell empty exactly where the row above has the same responsable', () => {
    for (const t of md.tables) {
      for (const [i, r] of t.rows.entries()) {
        const same = i > 0 && t.rows[i - 1].responsable === r.responsable;
        expect([t.section, r.no, r.cell === '']).toEqual([t.section, r.no, same]);
      }
    }
  });

  it('matches the guide step by step, except for the listed corrections, each named by its number', () => {
    const found = differences(md, guide);
    const unexplained = found.filter((d) => !(d in ALLOWED));
    expect(unexplained).toEqual([]);
    // An allowance the tables no longer need is a correction the catalog stopped making: say so.
    expect(Object.keys(ALLOWED).filter((k) => !found.includes(k))).toEqual([]);
    // Each allowance names corrections the catalog lists, and each of them declares that kind of change.
    for (const key of Object.keys(ALLOWED)) {
      for (const n of numbersOf(key))
        expect([key, n, correctionByNumber(n)?.cambia]).toEqual([key, n, expect.arrayContaining([changeOf(key)])]);
    }
  });

  it('marks each corrected row and title with its correction, and lists every correction applied', () => {
    for (const key of Object.keys(ALLOWED)) {
      const row = /^(\S+)#(\S+) (responsable|actividad|numero)$/.exec(key);
      const title = /^(\S+) titulo$/.exec(key);
      if (row) {
        const r = md.tables.find((t) => t.section === row[1])?.rows.find((x) => x.no === row[2]);
        expect([key, r?.marked]).toEqual([key, expect.arrayContaining(numbersOf(key))]);
      } else if (title) {
        expect([key, md.tables.find((t) => t.section === title[1])?.titleMarked]).toEqual([key, numbersOf(key)]);
      }
    }
    expect(md.corrections).toEqual([...new Set(Object.keys(ALLOWED).flatMap(numbersOf))].sort((a, b) => a - b));
    // No row carries a correction the differences do not explain (a stale `correccion` on a step the guide matches).
    const explained = new Set(
      Object.keys(ALLOWED).flatMap((k) =>
        numbersOf(k).map((n) => `${k.split(' ')[0].split('#').slice(0, 2).join('#')}:${n}`),
      ),
    );
    for (const t of md.tables) {
      for (const r of t.rows) {
        for (const n of r.marked) {
          const key = `${t.section}#${r.no}:${n}`;
          const byOrder = `${t.section}:${n}`;
          expect([key, explained.has(key) || explained.has(byOrder)]).toEqual([key, true]);
        }
      }
    }
  });

  it('fails on a difference no correction explains (an activity, a capital letter, a full stop, a responsable, a lost step)', () => {
    const tampered = readMarkdown(
      markdown
        .replace(
          '| 3 | Sistema "Mi correo institucional" | Valida CURP y CURT. |',
          '| 3 | Sistema "Mi correo institucional" | Valida la CURP. |',
        )
        .replace(
          /\| 12 \| Nivel \| Recibe oficio, firma y sella de recibido\. \|/,
          '| 12 | Subdirección de Sistemas y Servicios Telemáticos | Recibe oficio, firma y sella de recibido. |',
        )
        .replace(/^\| 10 \| {2}\| Informa el tiempo de respuesta.*\n/m, '')
        // A capital letter, a full stop and a responsable's longer name are differences too.
        .replace(
          '| 11 | Centro de trabajo | Lee el mensaje y cierra la aplicación. |',
          '| 11 | Centro de trabajo | Lee el mensaje y cierra la Aplicación. |',
        )
        .replace(
          '| 9 | PII | Guarda la información en la base de datos. |',
          '| 9 | PII | Guarda la información en la base de datos |',
        )
        .replace(
          '| 6 | PII | Habilita la caja de texto',
          '| 6 | Plataforma Integral de Información (PII) | Habilita la caja de texto',
        ),
    );
    const unexplained = differences(tampered, guide).filter((d) => !(d in ALLOWED));
    expect(unexplained).toEqual(
      expect.arrayContaining([
        '5.1.1#3 actividad',
        '5.2.1#12 responsable',
        '5.2.2#10 paso faltante',
        '5.2.2#11 actividad',
        '5.2.2#9 actividad',
        '5.2.2#6 responsable',
      ]),
    );
  });

  it('states the link validity the account mails use, and never a password for a block (corrections 5 and 11)', () => {
    const linked = md.tables.flatMap((t) =>
      t.rows
        .filter((r) => r.marked.includes(11) && /enlace de un solo uso/.test(r.actividad))
        .map((r) => ({ ...r, key: `${t.section}#${r.no}` })),
    );
    // Every step where the guide had the Servicio mail access data, except 5.2.3 paso 9 (the school's own password).
    expect(linked.map((r) => `${r.key} ${r.responsable}`)).toEqual(
      ['5.1.1#16', '5.1.2#16', '5.2.1#10', '5.3.1#6a', '5.3.2#10', '5.4#11'].map((k) => `${k} Servicio`),
    );
    for (const r of linked)
      expect([r.key, r.actividad]).toEqual([r.key, expect.stringContaining(`(válido ${LINK_VALIDITY_HOURS} horas)`)]);
    const corrections11 = CORRECTIONS.find((c) => c.numero === 11);
    expect(corrections11?.catalogo).toContain(`válido ${LINK_VALIDITY_HOURS} horas`);
    // 5.5 is a block: no row mentions access data or a link at all.
    const bloqueo = md.tables.find((t) => t.section === '5.5');
    expect(bloqueo?.rows.filter((r) => /datos de acceso|credenciales|enlace|contraseña/i.test(r.actividad))).toEqual(
      [],
    );
  });

  it('writes an A4 PDF with the version and date on the cover, every table title and the corrections', () => {
    const pdf = join(outDir, 'guia-v01.pdf');
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(3);
    const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-'], { encoding: 'utf8' });
    expect(cover).toContain('Guía para la asignación del Correo');
    expect(cover).toContain('Versión 01');
    expect(cover).toContain(`Fecha de emisión: ${VERSION_FECHA}`);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const t of md.tables) expect(text).toContain(t.title.replace(/\s+/g, ' '));
    expect(text).toContain('Correcciones aplicadas a la guía');
    for (const c of CORRECTIONS.filter((x) => md.corrections.includes(x.numero)))
      expect(text).toContain(`${c.numero}. ${c.titulo}`);
    expect(text).toContain('Solicita de reasignación de cuenta mediante oficio.'); // what 5.5 paso 1 said (correction 4)
    expect(text).toContain(`Página ${pages} de ${pages}`);
  });
});

describe('npm run guia on different days', () => {
  const dirs: string[] = [];
  /** Runs `npm run guia` into a fresh folder with the process clock moved by `offset` (libfaketime, e.g. '+400d'). */
  const generateAt = (offset: string): { md: Buffer; pdf: Buffer } => {
    const dir = mkdtempSync(join(tmpdir(), 'mci-guia-dia-'));
    dirs.push(dir);
    execFileSync('faketime', ['-f', offset, process.execPath, '-r', './scripts/register.js', 'src/cli/guia.ts', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { md: readFileSync(join(dir, 'guia-v01.md')), pdf: readFileSync(join(dir, 'guia-v01.pdf')) };
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes the same Markdown and PDF, byte for byte: the issue date belongs to the version, not to the day it runs', () => {
    const today = generateAt('+0d');
    const later = generateAt('+400d');
    expect(later.md.toString('utf8')).toEqual(today.md.toString('utf8'));
    expect(later.pdf.equals(today.pdf)).toBe(true);
    // The date both carry is the version's: on the cover line and in the PDF's own dates.
    expect(today.md.toString('utf8')).toContain(`**Versión 01** · ${VERSION_FECHA}`);
    const info = execFileSync('pdfinfo', ['-isodates', join(dirs[0], 'guia-v01.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`CreationDate:\\s+${GUIDE_VERSIONS['01'].fecha}T18:00:00`));
    expect(info).toMatch(new RegExp(`ModDate:\\s+${GUIDE_VERSIONS['01'].fecha}T18:00:00`));
  });

  it('refuses --fecha: the issue date is not chosen when generating', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mci-guia-fecha-'));
    dirs.push(dir);
    const run = () =>
      execFileSync(process.execPath, ['-r', './scripts/register.js', 'src/cli/guia.ts', dir, '--fecha', '2026-11-30'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 60_000,
      });
    expect(run).toThrow(/--fecha ya no existe: la fecha de emisión es la de la versión/);
  });
});

import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/domain-error';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Nivel } from '../../src/catalog/entities/nivel.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import {
  importCatalog,
  ImportService,
  type ImportOptions,
  type ImportSummary,
} from '../../src/catalog/import/import.service';
import { bufferSource } from '../../src/catalog/import/csv-file';
import { catalogTable, toCsv } from '../../src/catalog/seed/catalog-csv';
import { generateDemoCatalog } from '../../src/catalog/seed/demo-data';
import { generateCurp } from '../../src/validation/curp-generate';
import { createTestDb, type TestDb } from '../support/test-db';

const person = (
  primerApellido: string,
  segundoApellido: string | null,
  nombre: string,
  year: number,
  sexo: 'H' | 'M' = 'M',
) =>
  generateCurp({
    primerApellido,
    segundoApellido,
    nombre,
    fechaNacimiento: { year, month: 5, day: 17 },
    sexo,
    estado: 'CM',
  });

const MUNOZ = person('Muñoz', 'Peña', 'María José', 1984);
const IBANEZ = person('Ibáñez', 'Zúñiga', 'Ramón', 1979, 'H');
const CANEDO = person('Cañedo', null, 'Inés', 1991);
const ORDONEZ = person('Ordóñez', 'Núñez', 'Óscar', 1970, 'H');

const T1 = new Date('2026-01-10T15:00:00.000Z');
const T2 = new Date('2026-02-10T15:00:00.000Z');
const T3 = new Date('2026-03-10T15:00:00.000Z');

const utf8 = (lines: string[], bom = false): Buffer =>
  Buffer.concat([
    bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
    Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'),
  ]);
const win1252 = (lines: string[]): Buffer => iconv.encode(lines.join('\r\n') + '\r\n', 'win1252');

const HEADER = 'curp,curt,nombre,primer_apellido,segundo_apellido,correo_alterno,cct,nivel,estatus';
const row = (
  curp: string,
  curt: string,
  nombre: string,
  ap1: string,
  ap2: string,
  correo: string,
  cct: string,
  nivel: string,
  estatus: string,
) => [curp, curt, nombre, ap1, ap2, correo, cct, nivel, estatus].join(',');

const BASE = [
  HEADER,
  row(MUNOZ, 'CT0001', 'María José', 'Muñoz', 'Peña', 'mjose.munoz@gmail.com', '06DPR0001Z', 'Primaria', 'ACTIVO'),
  row(IBANEZ, 'CT0002', 'Ramón', 'Ibáñez', 'Zúñiga', '', '06DES0003B', 'Secundaria', 'Activo'),
  row(CANEDO, 'CT0003', 'Inés', 'Cañedo', '', 'ines@hotmail.com', '06EJN0002K', 'Preescolar', ''),
  row(ORDONEZ, 'CT0004', 'Óscar', 'Ordóñez', 'Núñez', 'oscar.ordonez@yahoo.com.mx', '06DPR0001Z', 'Primaria', 'ACTIVO'),
];

describe('catalog import', () => {
  let db: TestDb;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDb();
    ds = db.dataSource;
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    for (const t of ['trabajador', 'centro_trabajo', 'nivel']) await ds.query(`DELETE FROM ${ds.driver.escape(t)}`);
  });

  const run = (kind: string, content: Buffer, extra: Partial<ImportOptions> = {}): Promise<ImportSummary> =>
    importCatalog(ds, { kind, content, now: T1, ...extra });
  const workers = () => ds.getRepository(Trabajador).find({ order: { curp: 'ASC' } });
  const fatal = async (p: Promise<unknown>): Promise<DomainError> => {
    const e: unknown = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  };

  it('loads a UTF-8 export with BOM, keeps accents and ñ, and seeds the five standard levels', async () => {
    const s = await run('trabajadores', utf8(BASE, true));
    expect(s).toMatchObject({
      read: 4,
      inserted: 4,
      updated: 0,
      unchanged: 0,
      deactivated: 0,
      rejected: 0,
      encoding: 'UTF-8',
      separator: ',',
    });
    const munoz = await ds.getRepository(Trabajador).findOneByOrFail({ curp: MUNOZ });
    expect(munoz).toMatchObject({
      curt: 'CT0001',
      nombre: 'María José',
      primerApellido: 'Muñoz',
      segundoApellido: 'Peña',
      correoAlterno: 'mjose.munoz@gmail.com',
      cct: '06DPR0001Z',
      nivelClave: 'PRIMARIA',
      activo: true,
    });
    expect(munoz.ultimaImportacion?.toISOString()).toBe(T1.toISOString());
    const canedo = await ds.getRepository(Trabajador).findOneByOrFail({ curp: CANEDO });
    expect(canedo.segundoApellido).toBeNull();
    expect(canedo.activo).toBe(true);
    const niveles = await ds.getRepository(Nivel).find({ order: { clave: 'ASC' } });
    expect(niveles.map((n) => [n.clave, n.nombre])).toEqual([
      ['MEDIA_SUPERIOR', 'Media Superior'],
      ['PREESCOLAR', 'Preescolar'],
      ['PRIMARIA', 'Primaria'],
      ['SECUNDARIA', 'Secundaria'],
      ['SUPERIOR', 'Superior'],
    ]);
    expect(s.nivelesCreados).toHaveLength(5);
  });

  it('reads Windows-1252 with «;», headers in any order, case and accents', async () => {
    const lines = [
      'Nivel;CÚRP;Primer Apellido;NOMBRE;Curt;Segundo apellido;Correo Alterno;C.C.T.;Estatus;Teléfono',
      `Primaria;${MUNOZ};Muñoz;María José;CT0001;Peña;;06DPR0001Z;ACTIVO;312 555 0101`,
      `Educación Especial;${IBANEZ};Ibáñez;Ramón;CT0002;Zúñiga;;06DML0001Q;BAJA;`,
    ];
    const content = win1252(lines);
    expect(content.includes(Buffer.from('ñ', 'utf8'))).toBe(false); // really single-byte: ñ is 0xF1 here
    expect(content.includes(0xf1)).toBe(true);
    const s = await run('trabajadores', content);
    expect(s).toMatchObject({
      encoding: 'Windows-1252',
      separator: ';',
      inserted: 2,
      rejected: 0,
      ignoredColumns: ['Teléfono'],
    });
    const [a, b] = [
      await ds.getRepository(Trabajador).findOneByOrFail({ curp: MUNOZ }),
      await ds.getRepository(Trabajador).findOneByOrFail({ curp: IBANEZ }),
    ];
    expect([a.nombre, a.primerApellido, a.segundoApellido]).toEqual(['María José', 'Muñoz', 'Peña']);
    expect([b.nombre, b.primerApellido, b.segundoApellido, b.activo, b.nivelClave]).toEqual([
      'Ramón',
      'Ibáñez',
      'Zúñiga',
      false,
      'EDUCACION_ESPECIAL',
    ]);
    expect(await ds.getRepository(Nivel).findOneByOrFail({ clave: 'EDUCACION_ESPECIAL' })).toMatchObject({
      nombre: 'Educación Especial',
    });
    expect(s.nivelesCreados).toContainEqual({ clave: 'EDUCACION_ESPECIAL', nombre: 'Educación Especial' });
  });

  it('rejects bad rows with their line and a Spanish reason, and still loads the good ones', async () => {
    const badCheck = MUNOZ.slice(0, 17) + String((Number(MUNOZ[17]) + 1) % 10);
    const lines = [
      HEADER,
      BASE[1], // line 2: good
      row(badCheck, 'CT0009', 'Ana', 'Ruiz', 'Díaz', '', '', '', ''), // 3
      row('RUDA900231MCMZZN05', 'CT0010', 'Ana', 'Ruiz', 'Díaz', '', '', '', ''), // 4: 31 February
      row(IBANEZ, 'CT0002', 'Ramón', 'Ibáñez', 'Zúñiga', '', '06DES003B', 'Secundaria', ''), // 5: bad CCT
      '', // 6: empty line, skipped
      row(CANEDO, 'CT0003', '', 'Cañedo', '', '', '', '', ''), // 7: missing name
      row(MUNOZ, 'CT0001', 'María José', 'Muñoz', 'Peña', '', '', '', ''), // 8: duplicate of line 2
      row(ORDONEZ, 'CT0004', 'Óscar', 'Ordóñez', 'Núñez', 'oscar@', '', '', 'QUIZÁ'), // 9: bad e-mail and estatus
      `${person('Ruiz', 'Ávalos', 'Ana', 1990)},CT0011,Ana,"Ruiz, de",Ávalos,,,,ACTIVO`, // 10: quoted comma is fine
      `${person('Lepe', 'Ávalos', 'Ana', 1990)},CT0012,Ana,Lepe,Ávalos,,,,ACTIVO,extra`, // 11: one column too many
      `${person('Zamora', 'Michel', 'Luis', 1988, 'H')},,Luis,Zamora,Michel,,,,`, // 12: missing CURT
    ];
    const s = await run('trabajadores', utf8(lines));
    expect(s).toMatchObject({ read: 10, inserted: 2, rejected: 8 });
    const byLine = Object.fromEntries(s.rejections.map((r) => [r.line, r.reason]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 7, 8, 9, 11, 12]);
    expect(byLine[3]).toMatch(/dígito verificador/);
    expect(byLine[4]).toMatch(/no existe: 31 de febrero de 1990/);
    expect(byLine[5]).toMatch(/La CCT debe tener 10 caracteres y tiene 9/);
    expect(byLine[7]).toBe('Falta el nombre.');
    expect(byLine[8]).toBe(`La CURP ${MUNOZ} ya aparece en la línea 2; se tomó esa línea y se descartó esta.`);
    expect(byLine[9]).toMatch(/Correo alterno: .*no tiene dominio.*El estatus «QUIZÁ» no se reconoce/);
    expect(byLine[11]).toMatch(/10 columnas y el encabezado 9/);
    expect(byLine[12]).toBe('Falta la CURT.');
    expect(s.rejections.find((r) => r.line === 8)?.key).toBe(MUNOZ);
    expect(s.rejected).toBe(s.rejections.length);
    expect((await workers()).map((w) => w.primerApellido).sort()).toEqual(['Muñoz', 'Ruiz, de']);
  });

  it('is idempotent: the same file twice writes nothing and moves no updated_at', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const before = await workers();
    const s = await run('trabajadores', utf8(BASE), { now: T2 });
    expect(s).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, deactivated: 0 });
    const after = await workers();
    const data = (ws: Trabajador[]) => ws.map(({ ultimaImportacion: _u, ...rest }) => rest);
    expect(data(after)).toEqual(data(before));
    expect(after.every((w) => w.updatedAt.toISOString() === T1.toISOString())).toBe(true);
    // The full import still records that it saw them.
    expect(after.every((w) => w.ultimaImportacion?.toISOString() === T2.toISOString())).toBe(true);
  });

  it('updates only the rows whose data changed', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const changed = [...BASE];
    changed[2] = row(
      IBANEZ,
      'CT0002',
      'Ramón',
      'Ibáñez',
      'Zúñiga',
      'ramon.ibanez@gmail.com',
      '06DES0003B',
      'Secundaria',
      'Activo',
    );
    const s = await run('trabajadores', utf8(changed), { now: T2 });
    expect(s).toMatchObject({ inserted: 0, updated: 1, unchanged: 3 });
    const ws = await workers();
    const ibanez = ws.find((w) => w.curp === IBANEZ)!;
    expect(ibanez.correoAlterno).toBe('ramon.ibanez@gmail.com');
    expect(ibanez.updatedAt.toISOString()).toBe(T2.toISOString());
    expect(ibanez.createdAt.toISOString()).toBe(T1.toISOString());
    expect(ws.filter((w) => w.curp !== IBANEZ).every((w) => w.updatedAt.toISOString() === T1.toISOString())).toBe(true);
  });

  it('a full export deactivates who is missing, never deletes; --parcial does not', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const withoutOrdonez = BASE.filter((l) => !l.startsWith(ORDONEZ));
    const partial = await run('trabajadores', utf8(withoutOrdonez), { now: T2, mode: 'partial' });
    expect(partial.deactivated).toBe(0);
    expect((await workers()).every((w) => w.activo)).toBe(true);

    // 1 of 4 is more than 10 %: refused until confirmed.
    expect((await fatal(run('trabajadores', utf8(withoutOrdonez), { now: T2 }))).message).toMatch(
      /dejaría inactivos 1 de 4 trabajadores activos \(25 %\)/,
    );
    expect((await workers()).every((w) => w.activo)).toBe(true);
    const full = await run('trabajadores', utf8(withoutOrdonez), { now: T2, confirmRetirement: true });
    expect(full).toMatchObject({ deactivated: 1, unchanged: 3 });
    const ws = await workers();
    expect(ws).toHaveLength(4);
    const ordonez = ws.find((w) => w.curp === ORDONEZ)!;
    expect(ordonez.activo).toBe(false);
    expect(ordonez.updatedAt.toISOString()).toBe(T2.toISOString());
    expect(ordonez.ultimaImportacion?.toISOString()).toBe(T1.toISOString());

    // Back in the next export: active again, as an update.
    const again = await run('trabajadores', utf8(BASE), { now: T3 });
    expect(again).toMatchObject({ updated: 1, unchanged: 3, deactivated: 0 });
    expect((await ds.getRepository(Trabajador).findOneByOrFail({ curp: ORDONEZ })).activo).toBe(true);
  });

  it('a full import that would retire more than 10 % of the active workers is refused whole until confirmed', async () => {
    const demo = catalogTable('trabajadores', generateDemoCatalog({ seed: 5, centros: 5, trabajadores: 20 }));
    const rows = demo.rows.map((r) => [...r.slice(0, 8), 'ACTIVO']);
    const csv = (rs: (string | null)[][]) => toCsv(demo.header, rs);
    await run('trabajadores', csv(rows), { now: T1 });
    const curpOf = (i: number) => rows[i][0]!;

    // 2 of 20 (10 %): not more than the threshold, no question asked.
    const ten = await run('trabajadores', csv(rows.slice(2)), { now: T2 });
    expect(ten).toMatchObject({ deactivated: 2, unchanged: 18 });

    // 2 more of the 18 still active (11 %), with a changed row and a new worker of a new level: nothing at all happens.
    const changed = rows
      .slice(4)
      .map((r, i) => (i === 0 ? [...r.slice(0, 5), 'otro.correo@gmail.com', ...r.slice(6)] : r));
    const NEW = person('Zamora', 'Michel', 'Luis', 1988, 'H');
    const content = csv([
      ...changed,
      [NEW, 'CT9999', 'Luis', 'Zamora', 'Michel', '', '', 'Educación Especial', 'ACTIVO'],
    ]);
    const before = await workers();
    const e = await fatal(run('trabajadores', content, { now: T3 }));
    expect(e.code).toBe('IMPORTACION_DESACTIVACION_MASIVA');
    expect(e.status).toBe(409);
    expect(e.message).toMatch(
      /^La importación completa dejaría inactivos 2 de 18 trabajadores activos \(11 %\); más del 10 % pide confirmación\./,
    );
    expect(e.message).toMatch(/--confirmar/);
    expect(e.details).toMatchObject({ retiring: 2, active: 18 });
    expect(await workers()).toEqual(before);
    expect(await ds.getRepository(Nivel).findOneBy({ clave: 'EDUCACION_ESPECIAL' })).toBeNull();

    // A partial import of the same file retires nobody, so it asks nothing.
    expect(await run('trabajadores', csv(rows.slice(4, 5)), { now: T3, mode: 'partial' })).toMatchObject({
      deactivated: 0,
      unchanged: 1,
    });

    const confirmed = await run('trabajadores', content, { now: T3, confirmRetirement: true });
    expect(confirmed).toMatchObject({ deactivated: 2, updated: 1, inserted: 1, unchanged: 15 });
    const after = await workers();
    expect(
      after
        .filter((w) => !w.activo)
        .map((w) => w.curp)
        .sort(),
    ).toEqual([0, 1, 2, 3].map(curpOf).sort());
    expect(after.find((w) => w.curp === curpOf(4))?.correoAlterno).toBe('otro.correo@gmail.com');
  });

  it('does not deactivate a worker whose row was rejected, and maps BAJA to inactive', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const lines = [...BASE];
    lines[4] = row(ORDONEZ, 'CT0004', '', 'Ordóñez', 'Núñez', '', '', '', ''); // rejected: no name
    lines[2] = row(IBANEZ, 'CT0002', 'Ramón', 'Ibáñez', 'Zúñiga', '', '06DES0003B', 'Secundaria', 'Baja definitiva');
    const s = await run('trabajadores', utf8(lines), { now: T2 });
    expect(s).toMatchObject({ rejected: 1, deactivated: 0, updated: 1 });
    expect((await ds.getRepository(Trabajador).findOneByOrFail({ curp: ORDONEZ })).activo).toBe(true);
    expect((await ds.getRepository(Trabajador).findOneByOrFail({ curp: IBANEZ })).activo).toBe(false);
  });

  it('a row rejected for an extra column keeps its worker as stored: not updated, not retired', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const lines = [...BASE];
    // The key is the first column: readable although the row has one value too many.
    lines[4] =
      row(ORDONEZ, 'CT0004', 'Óscar', 'Ordóñez', 'Núñez', 'otro@gmail.com', '06DPR0001Z', 'Primaria', 'ACTIVO') +
      ',extra';
    const s = await run('trabajadores', utf8(lines), { now: T2 });
    expect(s).toMatchObject({ rejected: 1, deactivated: 0, unchanged: 3, updated: 0 });
    expect(s.rejections[0]).toMatchObject({
      line: 5,
      key: ORDONEZ,
      reason: expect.stringMatching(/10 columnas y el encabezado 9/),
    });
    expect(await ds.getRepository(Trabajador).findOneByOrFail({ curp: ORDONEZ })).toMatchObject({
      activo: true,
      correoAlterno: 'oscar.ordonez@yahoo.com.mx',
      updatedAt: T1,
      ultimaImportacion: T1,
    });
  });

  it('a row whose unquoted separator shifted the CURP to the right still keeps that worker', async () => {
    const head = 'nombre,primer_apellido,curp,curt,estatus';
    await run(
      'trabajadores',
      utf8([head, `Ramón,Ibáñez,${IBANEZ},CT0002,ACTIVO`, `Óscar,Ordóñez,${ORDONEZ},CT0004,ACTIVO`]),
      { now: T1 },
    );
    // «Ordóñez, de» without quotes: the CURP lands one column to the right.
    const s = await run(
      'trabajadores',
      utf8([head, `Ramón,Ibáñez,${IBANEZ},CT0002,ACTIVO`, `Óscar,Ordóñez, de,${ORDONEZ},CT0004,ACTIVO`]),
      { now: T2 },
    );
    expect(s).toMatchObject({ rejected: 1, deactivated: 0 });
    expect(s.rejections[0].key).toBe(ORDONEZ);
    expect(await ds.getRepository(Trabajador).findOneByOrFail({ curp: ORDONEZ })).toMatchObject({
      activo: true,
      primerApellido: 'Ordóñez',
    });
  });

  it('keeps stored values of an optional column the file does not bring', async () => {
    await run('trabajadores', utf8(BASE), { now: T1 });
    const lines = [
      'curp,curt,nombre,primer_apellido',
      `${MUNOZ},CT0001,María José,Muñoz`,
      `${IBANEZ},CT0002,Ramón,Ibáñez`,
      `${CANEDO},CT0003,Inés,Cañedo`,
      `${ORDONEZ},CT0004,Óscar,Ordóñez`,
    ];
    const s = await run('trabajadores', utf8(lines), { now: T2 });
    expect(s).toMatchObject({ updated: 0, unchanged: 4, deactivated: 0 });
    expect(await ds.getRepository(Trabajador).findOneByOrFail({ curp: MUNOZ })).toMatchObject({
      segundoApellido: 'Peña',
      correoAlterno: 'mjose.munoz@gmail.com',
      cct: '06DPR0001Z',
      nivelClave: 'PRIMARIA',
    });
  });

  describe('fatal errors load nothing', () => {
    const nothingLoaded = async () => {
      expect(await ds.getRepository(Trabajador).count()).toBe(0);
      expect(await ds.getRepository(CentroTrabajo).count()).toBe(0);
      expect(await ds.getRepository(Nivel).count()).toBe(0);
    };

    it('unknown catalog kind', async () => {
      const e = await fatal(run('escuelas', utf8(BASE)));
      expect(e.code).toBe('IMPORTACION_TIPO_DESCONOCIDO');
      expect(e.message).toMatch(/«escuelas».*trabajadores, centros/);
      await nothingLoaded();
    });

    it('missing required header, with a hint when it is the other catalog', async () => {
      const e = await fatal(
        run('trabajadores', utf8(['curp,nombre,primer_apellido,cct', `${MUNOZ},Ana,Ruiz,06DPR0001Z`])),
      );
      expect(e.code).toBe('IMPORTACION_ENCABEZADO_FALTANTE');
      expect(e.message).toMatch(/falta la columna «curt»/);
      const other = await fatal(
        run('trabajadores', utf8(['cct;nombre;nivel', '06DPR0001Z;Escuela Primaria Benito Juárez;Primaria'])),
      );
      expect(other.message).toMatch(
        /faltan las columnas «curp», «curt», «primer_apellido».*Parece un archivo de centros/,
      );
      await nothingLoaded();
    });

    it('a column named twice, an Excel workbook, an empty file, a header alone, a broken quote', async () => {
      expect((await fatal(run('trabajadores', utf8([HEADER + ',CURP', BASE[1] + ',x'])))).code).toBe(
        'IMPORTACION_ENCABEZADO_REPETIDO',
      );
      const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
      expect((await fatal(run('trabajadores', xlsx))).message).toMatch(/Excel.*CSV UTF-8/);
      expect((await fatal(run('trabajadores', Buffer.from('\r\n\r\n')))).code).toBe('IMPORTACION_VACIA');
      expect((await fatal(run('trabajadores', utf8([HEADER])))).message).toMatch(
        /solo tiene el encabezado.*No se cargó ni se desactivó nada/,
      );
      const broken = await fatal(run('trabajadores', utf8([HEADER, BASE[1], `${IBANEZ},"CT0002,Ramón,Ibáñez,,,,,`])));
      expect(broken.message).toMatch(/línea 3.*comillas/);
      await nothingLoaded();
    });

    it('a full import in which no row is valid retires nobody', async () => {
      await run('trabajadores', utf8(BASE), { now: T1 });
      const e = await fatal(
        run('trabajadores', utf8([HEADER, row('XXXX', 'C', 'A', 'B', '', '', '', '', '')]), { now: T2 }),
      );
      expect(e.code).toBe('IMPORTACION_SIN_REGISTROS');
      expect(e.message).toMatch(/línea 2: La CURP debe tener 18 caracteres/);
      expect((await workers()).every((w) => w.activo)).toBe(true);
    });
  });

  describe('centros', () => {
    const HEAD = 'CCT;Nombre;Nivel;CURP director;Correo';
    const CENTROS = [
      HEAD,
      `06DPR0001Z;Escuela Primaria Benito Juárez;Primaria;${MUNOZ};dpr0001z@gmail.com`,
      '06EJN0002K;Jardín de Niños Sor Juana Inés de la Cruz;Preescolar;;',
      `06DES0003B;Escuela Secundaria General Basilio Vadillo;Secundaria;${IBANEZ};`,
    ];

    it('recognizes a workers file given as centros (and the reverse) and refuses it, loading and retiring nothing', async () => {
      await run('centros', win1252(CENTROS));
      const e = await fatal(run('centros', utf8(BASE), { now: T2 }));
      expect(e.code).toBe('IMPORTACION_TIPO_EQUIVOCADO');
      expect(e.status).toBe(422);
      expect(e.message).toMatch(
        /^El archivo parece de trabajadores .*no de centros de trabajo: trae las columnas «curp», «curt», «primer_apellido»/,
      );
      expect(e.message).toMatch(/npm run import -- trabajadores ARCHIVO\.csv/);
      const schools = await ds.getRepository(CentroTrabajo).find();
      expect(schools.map((c) => [c.cct, c.estatus, c.updatedAt.toISOString()]).sort()).toEqual(
        ['06DES0003B', '06DPR0001Z', '06EJN0002K'].map((cct) => [cct, 'activo', T1.toISOString()]),
      );
      expect(await ds.getRepository(Trabajador).count()).toBe(0);
      // The demo workers export, headers as Capital Humano writes them, is refused too, even as --parcial.
      const demo = catalogTable('trabajadores', generateDemoCatalog({ seed: 3, centros: 5, trabajadores: 5 }));
      const partial = await fatal(run('centros', toCsv(demo.header, demo.rows), { mode: 'partial' }));
      expect(partial.message).toMatch(/«CURP», «CURT», «Primer apellido»/);
      expect(await ds.getRepository(CentroTrabajo).count()).toBe(3);

      const reverse = await fatal(run('trabajadores', win1252(CENTROS)));
      expect(reverse.code).toBe('IMPORTACION_TIPO_EQUIVOCADO');
      expect(reverse.message).toMatch(
        /^El archivo parece del Catálogo de Centros de Trabajo, no de trabajadores: trae las columnas «CURP director», «Correo»/,
      );
      expect(reverse.message).toMatch(/npm run import -- centros ARCHIVO\.csv/);
      expect(await ds.getRepository(Trabajador).count()).toBe(0);
    });

    it('loads, validates and retires schools missing from a full export', async () => {
      const s = await run('centros', win1252(CENTROS));
      expect(s).toMatchObject({ kind: 'centros', inserted: 3, rejected: 0, separator: ';', encoding: 'Windows-1252' });
      expect(await ds.getRepository(CentroTrabajo).findOneByOrFail({ cct: '06EJN0002K' })).toMatchObject({
        nombre: 'Jardín de Niños Sor Juana Inés de la Cruz',
        nivelClave: 'PREESCOLAR',
        directorCurp: null,
        estatus: 'activo',
      });
      const bad = [
        HEAD,
        CENTROS[1],
        CENTROS[2],
        `06DES0003B;Escuela Secundaria General Basilio Vadillo;Secundaria;${IBANEZ.slice(0, 17)}X;`,
        '6DPR0009Z;Escuela Primaria Niños Héroes;Primaria;;',
        '06DPR0010Y;Escuela Primaria Niños Héroes;;;',
      ];
      const r = await run('centros', win1252(bad), { now: T2 });
      expect(r.rejections.map((x) => [x.line, x.reason])).toEqual([
        [4, expect.stringMatching(/^CURP del director: .*carácter 18/)],
        [5, 'La CCT debe tener 10 caracteres y tiene 9.'],
        [6, 'Falta el nivel.'],
      ]);
      // 06DES0003B was rejected, not missing: it stays active.
      expect(r).toMatchObject({ unchanged: 2, deactivated: 0 });
      // Rejected for an extra column, its CCT still readable: kept as it is, not updated, not retired.
      const extra = await run(
        'centros',
        win1252([HEAD, CENTROS[1], CENTROS[2], `06DES0003B;Secundaria Basilio Vadillo;Secundaria;${IBANEZ};;Colima`]),
        { now: T2 },
      );
      expect(extra).toMatchObject({ rejected: 1, deactivated: 0, unchanged: 2 });
      expect(extra.rejections[0]).toMatchObject({ line: 4, key: '06DES0003B' });
      expect(await ds.getRepository(CentroTrabajo).findOneByOrFail({ cct: '06DES0003B' })).toMatchObject({
        estatus: 'activo',
        nombre: 'Escuela Secundaria General Basilio Vadillo',
      });
      const refused = await fatal(run('centros', win1252(CENTROS.slice(0, 3)), { now: T3 }));
      expect(refused.message).toMatch(
        /^La importación completa dejaría inactivos 1 de 3 centros de trabajo activos \(33 %\)/,
      );
      expect((await ds.getRepository(CentroTrabajo).findOneByOrFail({ cct: '06DES0003B' })).estatus).toBe('activo');
      const partialList = await run('centros', win1252(CENTROS.slice(0, 3)), { now: T3, confirmRetirement: true });
      expect(partialList.deactivated).toBe(1);
      expect((await ds.getRepository(CentroTrabajo).findOneByOrFail({ cct: '06DES0003B' })).estatus).toBe('inactivo');
      expect(await ds.getRepository(CentroTrabajo).count()).toBe(3);
    });
  });

  it('round-trips the generated demo export (both catalogs) and is reachable through ImportService', async () => {
    const demo = generateDemoCatalog({ seed: 7, centros: 40, trabajadores: 400 });
    const service = new ImportService(ds);
    const c = catalogTable('centros', demo);
    const t = catalogTable('trabajadores', demo);
    const sc = await service.import({
      kind: 'centros',
      content: toCsv(c.header, c.rows, { separator: ';', encoding: 'windows-1252' }),
    });
    expect(sc).toMatchObject({ inserted: 40, rejected: 0, ignoredColumns: ['Municipio'] });
    const st = await service.import({
      kind: 'trabajadores',
      content: toCsv(t.header, t.rows, { encoding: 'utf-8-bom' }),
      batchSize: 64,
    });
    expect(st).toMatchObject({ inserted: 400, rejected: 0 });
    const stored = await workers();
    expect(
      stored.map((w) => [
        w.curp,
        w.nombre,
        w.primerApellido,
        w.segundoApellido,
        w.correoAlterno,
        w.cct,
        w.nivelClave,
        w.activo,
      ]),
    ).toEqual(
      [...demo.trabajadores]
        .sort((a, b) => (a.curp < b.curp ? -1 : 1))
        .map((w) => [
          w.curp,
          w.nombre,
          w.primerApellido,
          w.segundoApellido,
          w.correoAlterno,
          w.cct,
          w.nivelClave,
          w.activo,
        ]),
    );
    const centros = await ds.getRepository(CentroTrabajo).find();
    expect(centros.filter((x) => x.directorCurp !== null).length).toBe(
      demo.centros.filter((x) => x.directorCurp !== null).length,
    );
  });

  describe('streaming: a file of many batches and chunks', () => {
    const demo = generateDemoCatalog({ seed: 11, centros: 30, trabajadores: 1200 });
    const table = catalogTable('trabajadores', demo);
    // An extra column with quoted line breaks and accents, rejected rows and repeated CURPs spread over the file.
    const header = [...table.header, 'Observaciones'];
    const rows = table.rows.map((r, i) => [...r, i % 7 === 0 ? `Cambio de\nadscripción ñ ${i}` : '']);
    const added = new Set<(string | null)[]>();
    for (let i = 50; i < rows.length; i += 97) {
      const repeat = [...rows[i - 40]]; // a repeat of a row 40 earlier
      const bad = [`${rows[i][0]!.slice(0, 17)}Z`, 'CT1', 'Ana', 'Ruiz', '', '', '', '', '', ''];
      rows.splice(i, 0, repeat, bad);
      added.add(repeat).add(bad);
    }
    // Physical lines: the header is line 1 and a value with a line break takes two.
    const lines: number[] = [];
    rows.forEach((r, i) => lines.push(i === 0 ? 2 : lines[i - 1] + (rows[i - 1][9]!.includes('\n') ? 2 : 1)));
    const addedLines = rows.flatMap((r, i) => (added.has(r) ? [lines[i]] : []));
    const content = toCsv(header, rows, { encoding: 'utf-8-bom' });
    const stored = async () => (await workers()).map(({ createdAt: _c, updatedAt: _u, ...w }) => ({ ...w }));
    const summaryOf = (s: ImportSummary) => {
      // Each full import runs its own reconciliation (a run id of its own).
      const { seconds: _s, rowsPerSecond: _r, conciliacion, ...rest } = s;
      return {
        ...rest,
        conciliacion: conciliacion && 'corridaId' in conciliacion ? { ...conciliacion, corridaId: '' } : conciliacion,
      };
    };

    it('gives the same summary and the same rows with one batch or many, whole or in small chunks', async () => {
      const whole = await run('trabajadores', content, { batchSize: 5000 });
      expect(whole).toMatchObject({ read: rows.length, inserted: 1200, updated: 0, deactivated: 0 });
      expect(whole.rejected).toBe(rows.length - 1200);
      expect(whole.rejections.map((r) => r.line)).toEqual(addedLines);
      expect(whole.rejections.filter((r) => /ya aparece en la línea/.test(r.reason))).toHaveLength(added.size / 2);
      const once = await stored();
      expect(once).toHaveLength(1200);

      for (const t of ['trabajador', 'nivel']) await ds.query(`DELETE FROM ${ds.driver.escape(t)}`);
      const chunked = await importCatalog(ds, {
        kind: 'trabajadores',
        source: bufferSource(content, 997),
        now: T1,
        batchSize: 37,
        batchesPerTransaction: 3,
      });
      expect(summaryOf(chunked)).toEqual(summaryOf(whole));
      expect(await stored()).toEqual(once);

      // Again, many batches: nothing changes, every row seen.
      const again = await importCatalog(ds, {
        kind: 'trabajadores',
        source: bufferSource(content, 4096),
        now: T2,
        batchSize: 50,
      });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 1200, deactivated: 0 });
    });

    it('a refused mass retirement over many batches loads nothing, and its confirmation loads it all', async () => {
      await run('trabajadores', content, { batchSize: 64 });
      const before = await workers();
      // 300 of the 1,200 left out, one in three of the rest changed, 50 new: refused, nothing written.
      const curps = new Set(demo.trabajadores.slice(0, 300).map((w) => w.curp));
      const kept = rows
        .filter((r) => !curps.has(r[0]!))
        .map((r, i) => (i % 3 === 0 ? [...r.slice(0, 5), `nuevo${i}@gmail.com`, ...r.slice(6)] : r));
      const fresh = catalogTable(
        'trabajadores',
        generateDemoCatalog({ seed: 99, centros: 3, trabajadores: 50 }),
      ).rows.map((r) => [...r.slice(0, 7), 'Educación Especial', 'ACTIVO', '']);
      const next = toCsv(header, [...kept, ...fresh]);
      const opts = {
        kind: 'trabajadores',
        source: bufferSource(next, 333),
        now: T2,
        batchSize: 16,
        batchesPerTransaction: 2,
      };
      const e = await fatal(importCatalog(ds, opts));
      expect(e.code).toBe('IMPORTACION_DESACTIVACION_MASIVA');
      expect(e.details).toMatchObject({ active: before.filter((w) => w.activo).length });
      expect(await workers()).toEqual(before);
      expect(await ds.getRepository(Nivel).findOneBy({ clave: 'EDUCACION_ESPECIAL' })).toBeNull();

      const done = await importCatalog(ds, { ...opts, confirmRetirement: true });
      expect(done.inserted).toBe(50);
      expect(done.deactivated).toBe(e.details!.retiring);
      expect((await workers()).filter((w) => curps.has(w.curp)).every((w) => !w.activo)).toBe(true);
    });

    it('counts every rejected row and lists the first maxRejections', async () => {
      const s = await run('trabajadores', content, { maxRejections: 3 });
      expect(s.rejected).toBe(rows.length - 1200);
      expect(s.rejections.map((r) => r.line)).toEqual([...s.rejections.map((r) => r.line)].sort((a, b) => a - b));
      expect(s.rejections).toHaveLength(3);
    });
  });
});

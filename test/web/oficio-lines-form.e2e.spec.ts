/**
 * One oficio, many accounts (issue 14, part 2), the registration page: the clerk sends the annex's schools from the
 * table of lines (repeated «lineaCct» / «lineaNombre» fields), a pasted list («lineasTexto») or a CSV or an Excel book
 * (.xlsx, its first sheet; both in «lineasCsv»),
 * and the page hands them to the same registration as POST /api/oficios. A bad line: the form again (422) with every
 * line kept and each error beside its line, and nothing written. For «Alta de cuenta de servicio» (5.3.1) the same
 * three ways take Servicio or Función accounts (CURP, cuenta, tipo: «lineaCurp» / «lineaCuenta» / «lineaTipo»); both
 * tables are on the page and the server reads the one of the procedure chosen. SQLite by default, MariaDB with
 * TEST_DB=mariadb.
 */
import iconv from 'iconv-lite';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficioLinea } from '../../src/oficios/entities/oficio-linea.entity';
import { addCentros, addNiveles, scannedOficio, testCct as cct } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { xlsxBook, xlsxParts, zipOf } from '../support/xlsx-book';
import { createWebApp } from './support';

jest.setTimeout(180_000);

describe('registration page: an oficio for many schools (table, pasted list, CSV, Excel)', () => {
  let t: TestApp & { base: string };
  let tok: string;
  let pdf: Buffer;
  let numero = 0;
  const ds = (): DataSource => t.db.dataSource;

  /** The form as the page posts it: the oficio's fields, then the rows of the table, the pasted list, the file. */
  const post = (
    opts: {
      rows?: [string, string][];
      /** Rows of the Servicio table (5.3.1): CURP, cuenta, tipo (the select always sends one). */
      servicio?: [string, string, string][];
      texto?: string;
      csv?: Buffer;
      /** The name the browser sends with the file (the page reads its bytes, not its name). */
      csvName?: string;
      extra?: Record<string, string>;
    } = {},
  ) => {
    numero += 1;
    let r = request(t.app.getHttpServer())
      .post('/oficios/nuevo')
      .set('Cookie', `${SESSION_COOKIE}=${tok}`)
      .redirects(0)
      .field('_csrf', t.app.get(CsrfTokens).tokenFor(tok));
    const fields: Record<string, string> = {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: `DEP/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      nivel: 'PRIMARIA',
      asunto: 'Alta de cuentas para los centros de trabajo del anexo',
      lineasTexto: opts.texto ?? '',
      ...opts.extra,
    };
    for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
    for (const [c, n] of opts.rows ?? []) r = r.field('lineaCct', c).field('lineaNombre', n);
    for (const [c, n, tipo] of opts.servicio ?? [])
      r = r.field('lineaCurp', c).field('lineaCuenta', n).field('lineaTipo', tipo);
    r = r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    const name = opts.csvName ?? 'escuelas.csv';
    const type = name.endsWith('.xlsx')
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : name.endsWith('.xls')
        ? 'application/vnd.ms-excel'
        : 'text/csv';
    return opts.csv ? r.attach('lineasCsv', opts.csv, { filename: name, contentType: type }) : r;
  };
  /** After the 303 of an oficio for many schools: the redirect, its folio, its lines in order, the register page. */
  const registered = async (res: request.Response) => {
    const location = new URL(res.headers.location, 'http://x');
    const folio = location.searchParams.get('folio') ?? '';
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ folio });
    const rows = await ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: oficio.id }, order: { linea: 'ASC' } });
    const page = await request(t.app.getHttpServer())
      .get(res.headers.location)
      .set('Cookie', `${SESSION_COOKIE}=${tok}`)
      .expect(200);
    return { location, folio, lines: rows.map((r) => [r.linea, r.cct, r.nombreCuenta]), page: page.text };
  };
  const counts = async () => ({
    oficios: await ds().getRepository(Oficio).count(),
    lineas: await ds().getRepository(OficioLinea).count(),
    casos: await ds().getRepository(ProcedureCase).count(),
  });
  /** The errors shown beside a line's cells, and the values it keeps. */
  const line = (html: string, n: number) => {
    const tr = new RegExp(`<tr data-linea="${n}"[^>]*>(.*?)</tr>`, 's').exec(html)?.[1] ?? '';
    const value = (f: string) =>
      new RegExp(`type="text" id="l${n}-${f}" name="[^"]+" value="([^"]*)"`).exec(tr)?.[1] ?? null;
    const error = (f: string) =>
      new RegExp(`id="l${n}-${f}-error"><span class="oculto">Error: </span>([^<]*)<`).exec(tr)?.[1] ?? null;
    return { cct: value('cct'), nombre: value('nombre'), errorCct: error('cct'), errorNombre: error('nombre') };
  };
  /** A line of the Servicio table: its values (the type selected) and the errors beside its cells. */
  const servicioLine = (html: string, n: number) => {
    const tr = new RegExp(`<tr data-linea-servicio="${n}"[^>]*>(.*?)</tr>`, 's').exec(html)?.[1] ?? '';
    const value = (f: string) =>
      new RegExp(`type="text" id="s${n}-${f}" name="[^"]+" value="([^"]*)"`).exec(tr)?.[1] ?? null;
    const error = (f: string) =>
      new RegExp(`id="s${n}-${f}-error"><span class="oculto">Error: </span>([^<]*)<`).exec(tr)?.[1] ?? null;
    return {
      curp: value('curp'),
      cuenta: value('cuenta'),
      tipo: /<option value="([^"]*)" selected>/.exec(tr)?.[1] ?? 'servicio',
      errorCurp: error('curp'),
      errorCuenta: error('cuenta'),
      errorTipo: error('tipo'),
    };
  };
  /** The fields of an oficio of an area for 5.3.1. */
  const SERVICIO = { procedimiento: 'servicio-alta', nivel: '', area: 'Dirección de Becas' };
  const servicioLines = async (folio: string) => {
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ folio });
    const rows = await ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: oficio.id }, order: { linea: 'ASC' } });
    return rows.map((r) => [r.linea, r.cct, r.curp, r.nombreCuenta, r.tipoCuenta]);
  };
  const workers: Trabajador[] = [];
  const decode = (s: string | null) =>
    s
      ?.replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=') ?? null;

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await addCentros(ds(), 80, [79]);
    await createStaff(ds(), 'oficialia', 'subdireccion');
    // Servicio accounts are held by active workers of Capital Humano (5.3.1).
    for (const nombre of ['Ana', 'Bruno', 'Carla', 'Diego', 'Elena', 'Fabián', 'Gloria', 'Hugo'])
      workers.push(await addWorker(ds(), { nombre, primerApellido: 'Servín' }));
    tok = await login(t.app, 'oficialia');
    pdf = await scannedOficio('Oficio: alta de cuentas para los centros de trabajo del anexo.');
  });
  afterAll(async () => t?.close());

  it('the form offers the table, the pasted list and a CSV or Excel file', async () => {
    const res = await request(t.app.getHttpServer())
      .get('/oficios/nuevo')
      .set('Cookie', `${SESSION_COOKIE}=${tok}`)
      .expect(200);
    expect(res.text).toContain('Escuelas del oficio (Alta de cuenta de centro de trabajo, 5.2.1)');
    expect([1, 2, 3].map((n) => line(res.text, n).cct)).toEqual(['', '', '']);
    expect(res.text).toContain('name="lineasTexto"');
    expect(res.text).toMatch(/type="file" id="f-lineasCsv" name="lineasCsv"[^>]*accept=".csv,text\/csv,.xlsx,/);
    expect(res.text).toContain('Archivo del anexo: CSV o Excel (.xlsx)');
    // Both tables, so that without the page's script the one of the procedure chosen is there to fill.
    expect(res.text).toContain('Cuentas de servicio o función del oficio (Alta de cuenta de servicio, 5.3.1)');
    expect([1, 2, 3].map((n) => servicioLine(res.text, n))).toEqual(
      [1, 2, 3].map(() => ({
        curp: '',
        cuenta: '',
        tipo: 'servicio',
        errorCurp: null,
        errorCuenta: null,
        errorTipo: null,
      })),
    );
    expect(res.text).toContain('<label class="oculto" for="s2-tipo">Tipo de cuenta de la línea 2</label>');
  });

  it('table rows and pasted lines register one oficio with a case per school, and the register shows it', async () => {
    const before = await counts();
    const res = await post({
      rows: [
        [cct(1), 'Escuela Primaria Benito Juárez'],
        ['', ''],
        [` ${cct(2).toLowerCase()} `, 'Escuela Primaria Niños Héroes'],
      ],
      texto: `${cct(3)}, Escuela Primaria «Ignacio Zaragoza», turno vespertino\n\n${cct(4)}; Escuela Primaria Colima`,
    });
    expect([res.status, res.status === 303 ? '' : res.text]).toEqual([303, '']);
    const { location, folio, lines, page } = await registered(res);
    expect(location.pathname).toBe('/oficios');
    expect(location.searchParams.get('registrado')).toBe('4');
    expect(lines).toEqual([
      [1, cct(1), 'Escuela Primaria Benito Juárez'],
      [2, cct(2), 'Escuela Primaria Niños Héroes'],
      [3, cct(3), 'Escuela Primaria «Ignacio Zaragoza», turno vespertino'],
      [4, cct(4), 'Escuela Primaria Colima'],
    ]);
    expect(await counts()).toEqual({
      oficios: before.oficios + 1,
      lineas: before.lineas + 4,
      casos: before.casos + 4,
    });
    expect(page).toContain(`Oficio registrado con el folio ${folio}: 4 centros de trabajo, un trámite por centro.`);
    expect(page).toContain('0 de 4 concluidos');
  });

  it('bad lines: the form again (422) with every line kept, each error beside its line, and nothing written', async () => {
    const before = await counts();
    const res = await post({
      rows: [
        [cct(10), 'Escuela Primaria Benito Juárez'],
        ['06XYZ', 'Escuela sin clave válida'],
        [cct(79), 'Escuela inactiva'],
        [cct(11), ''],
      ],
      texto: `${cct(10)}, Repetida`,
    });
    expect(res.status).toBe(422);
    expect(await counts()).toEqual(before);
    expect(res.text).toContain(
      '4 escuelas tienen errores y no se registró nada: corrija las líneas señaladas y envíe de nuevo.',
    );
    expect(res.text).toContain('href="#f-lineas"');
    const shown = [1, 2, 3, 4, 5].map((n) => line(res.text, n));
    expect(shown.map((l) => [l.cct, decode(l.nombre)])).toEqual([
      [cct(10), 'Escuela Primaria Benito Juárez'],
      ['06XYZ', 'Escuela sin clave válida'],
      [cct(79), 'Escuela inactiva'],
      [cct(11), ''],
      [cct(10), 'Repetida'],
    ]);
    expect(shown[0]).toMatchObject({ errorCct: null, errorNombre: null });
    expect(shown[1].errorCct).toMatch(/CCT/);
    expect(shown[2].errorCct).toBe(`El centro ${cct(79)} está inactivo en el catálogo.`);
    expect(shown[3]).toMatchObject({ errorCct: null, errorNombre: 'Indique el nombre de la cuenta.' });
    expect(shown[4].errorCct).toBe(`La CCT ${cct(10)} ya está en la línea 1.`);
    // One blank row after them to add another; the pasted list is now in the table, not pasted twice.
    expect(line(res.text, 6)).toMatchObject({ cct: '', nombre: '' });
    expect(res.text).toMatch(/<textarea id="f-lineasTexto" name="lineasTexto"[^>]*><\/textarea>/);
    // The scan is kept for the next try.
    expect(res.text).toContain('name="archivoClave"');
  });

  it('a CSV with «;», accents and a BOM, or in Windows-1252, registers its schools', async () => {
    const utf8 = Buffer.from(
      `\uFEFFNúm;CCT;Nombre\r\n1;${cct(20)};Escuela Primaria Niños Héroes\r\n2;${cct(21)};Jardín «Sor Juana Inés»\r\n`,
      'utf8',
    );
    const res = await post({ csv: utf8, rows: [[cct(22), 'Escuela Primaria Ñuu Savi']] });
    expect([res.status, res.status === 303 ? '' : res.text]).toEqual([303, '']);
    expect(new URL(res.headers.location, 'http://x').searchParams.get('registrado')).toBe('3');
    const lines = await ds()
      .getRepository(OficioLinea)
      .find({ where: [{ cct: cct(20) }, { cct: cct(21) }, { cct: cct(22) }], order: { linea: 'ASC' } });
    expect(lines.map((l) => [l.linea, l.cct, l.nombreCuenta])).toEqual([
      [1, cct(22), 'Escuela Primaria Ñuu Savi'],
      [2, cct(20), 'Escuela Primaria Niños Héroes'],
      [3, cct(21), 'Jardín «Sor Juana Inés»'],
    ]);

    const latin = iconv.encode(`nombre,C.C.T.\r\nEscuela Secundaria Técnica Núm. 5,${cct(23)}\r\n`, 'win1252');
    const res2 = await post({ csv: latin });
    expect(res2.status).toBe(303);
    expect(
      (
        await ds()
          .getRepository(OficioLinea)
          .findOneByOrFail({ cct: cct(23) })
      ).nombreCuenta,
    ).toBe('Escuela Secundaria Técnica Núm. 5');
  });

  it('a CSV with a bad line, without its columns, or a damaged Excel book: the form again and nothing written', async () => {
    const before = await counts();
    const bad = await post({
      rows: [[cct(30), 'Escuela de la tabla']],
      csv: Buffer.from(`CCT;Nombre\n${cct(31)};Escuela Primaria José María Morelos\n${cct(999)};Escuela desconocida\n`),
    });
    expect(bad.status).toBe(422);
    expect([1, 2, 3].map((n) => line(bad.text, n).cct)).toEqual([cct(30), cct(31), cct(999)]);
    expect(line(bad.text, 3).errorCct).toBe(`La CCT ${cct(999)} no está en el catálogo de centros de trabajo.`);
    expect(bad.text).toContain('Una escuela tiene errores y no se registró nada');

    const columns = await post({ csv: Buffer.from(`clave;escuela\n${cct(32)};Escuela\n`) });
    expect(columns.status).toBe(422);
    expect(columns.text).toContain(
      'El archivo de escuelas debe tener en su primera línea las columnas «CCT» y «nombre» (tiene: clave, escuela).',
    );
    expect(columns.text).toMatch(/id="f-lineasCsv"[^>]*aria-invalid="true"/);

    const xlsx = await post({ csv: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]) });
    expect(xlsx.status).toBe(422);
    expect(xlsx.text).toContain('El libro de Excel está dañado o incompleto.');
    expect(await counts()).toEqual(before);
  });

  it('an Excel book of 25 schools (its first sheet) registers one oficio with a case per school', async () => {
    const before = await counts();
    const schools = Array.from({ length: 25 }, (_, i) => [
      cct(50 + i),
      `Escuela Primaria Núm. ${i + 1} «Niños Héroes»`,
    ]);
    // As a clerk's annex looks: the header in row 1 with a blank column, a blank row, a number column; a second sheet.
    const book = xlsxBook([
      {
        name: 'Anexo',
        rows: [
          ['No.', 'C.C.T.', null, 'Nombre de la cuenta'],
          ...schools.slice(0, 10).map(([c, n], i) => [i + 1, c, null, n]),
          null,
          ...schools.slice(10).map(([c, n], i) => [i + 11, c, null, n]),
        ],
      },
      {
        name: 'Notas',
        rows: [
          ['CCT', 'nombre'],
          [cct(1), 'No es del anexo'],
        ],
      },
    ]);
    const res = await post({ csv: book, csvName: 'Anexo oficio DEP-0457.xlsx' });
    expect([res.status, res.status === 303 ? '' : res.text]).toEqual([303, '']);
    const { location, lines, page } = await registered(res);
    expect(location.searchParams.get('registrado')).toBe('25');
    expect(lines).toEqual(schools.map(([c, n], i) => [i + 1, c, n]));
    expect(await counts()).toEqual({
      oficios: before.oficios + 1,
      lineas: before.lineas + 25,
      casos: before.casos + 25,
    });
    expect(page).toContain('0 de 25 concluidos');
  });

  it('an Excel book with bad lines, even named .csv: the same 422 page, each error beside its line', async () => {
    const before = await counts();
    const book = xlsxBook(
      [
        {
          rows: [
            ['CCT', 'nombre'],
            [cct(76), 'Escuela Primaria Miguel Hidalgo'],
            [cct(79), 'Escuela inactiva'],
            [cct(999), 12345],
          ],
        },
      ],
      { inlineStrings: true },
    );
    const res = await post({ rows: [[cct(75), 'Escuela de la tabla']], csv: book });
    expect(res.status).toBe(422);
    expect(res.text).toContain('2 escuelas tienen errores y no se registró nada');
    const shown = [1, 2, 3, 4].map((n) => line(res.text, n));
    expect(shown.map((l) => [l.cct, l.nombre])).toEqual([
      [cct(75), 'Escuela de la tabla'],
      [cct(76), 'Escuela Primaria Miguel Hidalgo'],
      [cct(79), 'Escuela inactiva'],
      [cct(999), '12345'],
    ]);
    expect(shown[2].errorCct).toBe(`El centro ${cct(79)} está inactivo en el catálogo.`);
    expect(shown[3].errorCct).toBe(`La CCT ${cct(999)} no está en el catálogo de centros de trabajo.`);
    expect(await counts()).toEqual(before);
  });

  it('a ZIP bomb, an .xls, a locked book or a sheet without the columns: 422 beside the file field, nothing written', async () => {
    const before = await counts();
    const refusedWith = async (file: Buffer, csvName: string, message: string) => {
      const res = await post({ rows: [[cct(77), 'Escuela de la tabla']], csv: file, csvName });
      expect([res.status, res.text.includes(message)]).toEqual([422, true]);
      expect(res.text).toMatch(/id="f-lineasCsv"[^>]*aria-invalid="true"/);
      // The table's line is kept.
      expect(line(res.text, 1).cct).toBe(cct(77));
    };
    const bombed = xlsxParts([{ rows: [['CCT', 'nombre']] }]).map((p) =>
      p.name === 'xl/worksheets/sheet1.xml'
        ? {
            ...p,
            data: `<worksheet><sheetData>${' '.repeat(50 * 1024 * 1024)}</sheetData></worksheet>`,
            declaredSize: 2000,
          }
        : p,
    );
    const bomb = zipOf(bombed);
    expect(bomb.length).toBeLessThan(256 * 1024);
    await refusedWith(
      bomb,
      'anexo.xlsx',
      'El archivo de escuelas no se pudo leer: El libro de Excel es demasiado grande al abrirlo (más de 5 MB de datos).',
    );
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096)]);
    await refusedWith(
      ole,
      'anexo.xls',
      'El archivo es un libro de Excel 97-2003 (.xls), que no se puede leer. Ábralo en Excel y, con «Guardar como», guárdelo como «Libro de Excel (.xlsx)» o como «CSV UTF-8 (delimitado por comas)».',
    );
    await refusedWith(
      Buffer.concat([ole, Buffer.from('EncryptionInfo', 'utf16le')]),
      'anexo.xlsx',
      'El libro de Excel está protegido con contraseña y no se puede leer.',
    );
    await refusedWith(
      xlsxBook([{ rows: [['Anexo del oficio DEP/0457/2026'], [cct(78), 'Escuela']] }]),
      'anexo.xlsx',
      'El archivo de escuelas debe tener en su primera línea las columnas «CCT» y «nombre» (tiene: Anexo del oficio DEP/0457/2026).',
    );
    expect(await counts()).toEqual(before);
  });

  it('lines for a procedure other than 5.2.1, or with the single CCT: refused beside the field, nothing written', async () => {
    const before = await counts();
    const other = await post({ rows: [[cct(40), 'Escuela']], extra: { procedimiento: 'cuenta-bloquear' } });
    expect(other.status).toBe(400);
    expect(other.text).toContain(
      'Varias cuentas en un oficio son solo para «Alta de cuenta de centro de trabajo» (5.2.1) y para «Alta de cuenta de servicio o función» (5.3.1).',
    );
    const both = await post({ rows: [[cct(41), 'Escuela']], extra: { cct: cct(42) } });
    expect(both.status).toBe(400);
    expect(both.text).toContain('Con varias escuelas, la CCT va en cada línea');
    expect(await counts()).toEqual(before);
  });

  it('5.3.1: three Servicio accounts typed in the table register one oficio with a case each; the schools table is not read', async () => {
    const before = await counts();
    const res = await post({
      extra: SERVICIO,
      // Without the page's script both tables are sent: a school typed by mistake is not a line of a 5.3.1 oficio.
      rows: [[cct(60), 'Escuela escrita por error']],
      servicio: [
        [workers[0].curp, 'becas.colima', 'servicio'],
        [workers[1].curp.toLowerCase(), 'becas.manzanillo', 'funcion'],
        ['', '', 'servicio'],
        [workers[0].curp, 'becas.tecoman', 'servicio'],
      ],
    });
    expect([res.status, res.status === 303 ? '' : res.text]).toEqual([303, '']);
    const { location, folio, page } = await registered(res);
    expect([location.searchParams.get('registrado'), location.searchParams.get('anexo')]).toEqual(['3', 'servicio']);
    expect(await servicioLines(folio)).toEqual([
      [1, null, workers[0].curp, 'becas.colima', 'servicio'],
      [2, null, workers[1].curp, 'becas.manzanillo', 'funcion'],
      [3, null, workers[0].curp, 'becas.tecoman', 'servicio'],
    ]);
    expect(await counts()).toEqual({
      oficios: before.oficios + 1,
      lineas: before.lineas + 3,
      casos: before.casos + 3,
    });
    expect(page).toContain(
      `Oficio registrado con el folio ${folio}: 3 cuentas de servicio o función, un trámite por cuenta.`,
    );
  });

  it('5.3.1: a pasted list with a bad CURP: the form again (422), the error beside that line, the others kept', async () => {
    const before = await counts();
    const res = await post({
      extra: SERVICIO,
      servicio: [[workers[2].curp, 'becas.armeria', 'funcion']],
      texto: `${workers[3].curp}, becas.villa\nXXXX800101, becas.comala, función\n${workers[4].curp};becas.ixtlahuacan;servicio`,
    });
    expect(res.status).toBe(422);
    expect(await counts()).toEqual(before);
    expect(res.text).toContain(
      'Una cuenta tiene errores y no se registró nada: corrija las líneas señaladas y envíe de nuevo.',
    );
    const shown = [1, 2, 3, 4].map((n) => servicioLine(res.text, n));
    expect(shown.map((l) => [l.curp, l.cuenta, l.tipo])).toEqual([
      [workers[2].curp, 'becas.armeria', 'funcion'],
      [workers[3].curp, 'becas.villa', 'servicio'],
      ['XXXX800101', 'becas.comala', 'funcion'],
      [workers[4].curp, 'becas.ixtlahuacan', 'servicio'],
    ]);
    expect(shown[2].errorCurp).toBe('La CURP debe tener 18 caracteres y tiene 10.');
    expect(res.text).toMatch(/id="s3-curp" name="lineaCurp" value="XXXX800101"[^>]*aria-invalid="true"/);
    for (const n of [0, 1, 3]) expect(shown[n]).toMatchObject({ errorCurp: null, errorCuenta: null, errorTipo: null });
    // A blank row after them; the pasted list is now in the table.
    expect(servicioLine(res.text, 5)).toMatchObject({ curp: '', cuenta: '' });
    expect(res.text).toMatch(/<textarea id="f-lineasTexto" name="lineasTexto"[^>]*><\/textarea>/);

    // A type the select does not offer is shown as sent, with its error beside it.
    const tipo = await post({ extra: SERVICIO, texto: `${workers[2].curp}, becas.armeria, mixta` });
    expect(tipo.status).toBe(422);
    expect(servicioLine(tipo.text, 1)).toMatchObject({
      tipo: 'mixta',
      errorTipo: 'El tipo de cuenta debe ser «servicio» o «funcion».',
    });
    expect(await counts()).toEqual(before);
  });

  it('5.3.1: a CSV and an Excel book with the columns CURP and cuenta (tipo optional) register their accounts', async () => {
    const csv = Buffer.from(
      `\uFEFFNo.;CURP;Cuenta\r\n1;${workers[5].curp};becas.cuauhtemoc\r\n2;${workers[6].curp};becas.minatitlan\r\n`,
      'utf8',
    );
    const byCsv = await post({ extra: SERVICIO, csv });
    expect([byCsv.status, byCsv.status === 303 ? '' : byCsv.text]).toEqual([303, '']);
    expect(await servicioLines((await registered(byCsv)).folio)).toEqual([
      [1, null, workers[5].curp, 'becas.cuauhtemoc', 'servicio'],
      [2, null, workers[6].curp, 'becas.minatitlan', 'servicio'],
    ]);

    const book = xlsxBook([
      {
        name: 'Anexo',
        rows: [
          ['Nombre de la cuenta', 'Tipo de cuenta', 'CURP'],
          ['becas.coquimatlan', 'Función', workers[7].curp],
          null,
          ['becas.jala', '', workers[6].curp],
        ],
      },
    ]);
    const byXlsx = await post({ extra: SERVICIO, csv: book, csvName: 'cuentas.xlsx' });
    expect([byXlsx.status, byXlsx.status === 303 ? '' : byXlsx.text]).toEqual([303, '']);
    expect(await servicioLines((await registered(byXlsx)).folio)).toEqual([
      [1, null, workers[7].curp, 'becas.coquimatlan', 'funcion'],
      [2, null, workers[6].curp, 'becas.jala', 'servicio'],
    ]);
  });
});

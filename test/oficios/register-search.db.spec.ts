/**
 * The register's filters at national scale (issue 13), on both dialects: the sender's number by the beginning of the
 * number, the words of sender and subject through the word index (oficio_word, kept in step by registration and by
 * writeOficioWords, filled by the migration's backfill), cancelled oficios and the month of receipt by their own order
 * indexes, and GET /api/oficios counting up to 1,000 like the «Oficios» page. The results are what is checked, never
 * the plans: with a few matches the word index gives them; with more than CANDIDATE_CAP the register's order is read
 * (2,100 oficios written here take each path).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor';
import { backfillOficioWords, backfillReceiptMonth } from '../../src/database/migrations/backfill-oficio-search';
import { OficioWord } from '../../src/oficios/entities/oficio-word.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficioRegisterService } from '../../src/oficios/oficio-register.service';
import { CANDIDATE_CAP, NUMBER_CANDIDATE_CAP, receiptMonth } from '../../src/oficios/oficio-search';
import { WORD_MAX, writeOficioWords } from '../../src/oficios/oficio-words';
import { searchText } from '../../src/common/search-text';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECT } from '../support/test-db';
import { addNiveles, postOficio, scannedOficio, settle } from './support';

jest.setTimeout(180_000);

/** Oficios of 2020 written straight to the table (with their words), more than CANDIDATE_CAP of one sender. */
const BULK = 2100;
const bulkNivel = (i: number): string => (i % 7 === 0 ? 'SECUNDARIA' : 'PRIMARIA');

function bulkOficio(i: number): Oficio {
  const at = new Date(Date.UTC(2020, 5, 1, 18) + i * 60_000);
  const remitente = 'Profr. Ernesto Zúñiga Ávalos';
  const asunto = `${i < 1500 ? 'Lote de cuentas' : 'Cuentas'}${i === 5 ? ' del caso raro' : ''}`;
  return {
    id: randomUUID(),
    folio: `SSST-2020-${String(i + 1).padStart(6, '0')}`,
    folioAnio: 2020,
    folioNumero: i + 1,
    numeroRemitente: `ZUN/${i}/2020`,
    numeroNormalizado: `ZUN/${i}/2020`,
    remitenteClave: `NIVEL:${bulkNivel(i)}`,
    fechaOficio: '2020-06-01',
    remitenteNombre: remitente,
    remitenteCargo: 'Director',
    nivelClave: bulkNivel(i),
    area: null,
    responsableId: null,
    asunto,
    remitenteBusqueda: searchText(remitente, 'Director'),
    asuntoBusqueda: searchText(asunto),
    procedureId: 'servicio-alta',
    caseId: randomUUID(),
    cct: null,
    concierne: '{"curps":[],"ccts":[],"cuentas":[]}',
    fojas: 1,
    anexos: null,
    archivoSha256: '0'.repeat(64),
    archivoMime: 'application/pdf',
    archivoBytes: 1,
    archivoKey: 'no-existe',
    archivoNombre: null,
    recibidoAt: at,
    recibidoMes: receiptMonth(at),
    recibidoPor: 'u-bulk',
    recibidoPorNombre: 'Carga',
    status: 'registrado',
    canceladoAt: null,
    canceladoPor: null,
    motivoCancelacion: null,
    createdAt: at,
  };
}

describe('the register’s filters, index-backed (issue 13)', () => {
  let t: TestApp;
  let tok: string;
  const folio: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const api = async (query: Record<string, string | number>, status = 200) =>
    (await http().get('/api/oficios').query(query).set('Authorization', `Bearer ${tok}`).expect(status)).body as {
      items: { folio: string }[];
      total: number;
      totalAcotado: boolean;
      siguiente: string | null;
      anterior: string | null;
      message?: string;
    };
  const folios = async (query: Record<string, string | number>): Promise<string[]> =>
    (await api({ porPagina: 100, ...query })).items.map((o) => o.folio).sort();
  const register = () => t.app.get(OficioRegisterService);
  const SUBJEFATURA: Actor = { id: 'u-sistemas', role: 'subjefatura' };
  const SECUNDARIA: Actor = { id: 'u-sec', role: 'nivel', nivelClave: 'SECUNDARIA' };
  const words = async (anio: number, numero: number): Promise<string[]> =>
    (
      await ds()
        .getRepository(OficioWord)
        .find({ where: { folioAnio: anio, folioNumero: numero } })
    )
      .map((w) => `${w.field}:${w.word}`)
      .sort();

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    tok = await login(t.app, 'oficialia');
    const pdf = await scannedOficio('Oficio.');
    const oficios: [string, Record<string, string>][] = [
      [
        'primaria',
        {
          numeroOficio: 'DEP/0457/2026',
          remitenteNombre: 'Profra. Ángela Núñez Ibáñez',
          remitenteCargo: 'Directora de Educación Primaria',
          nivel: 'PRIMARIA',
          asunto: 'Cuenta de correo para la Escuela «Benito Juárez»',
          recibidoEn: '2026-10-31T23:59:00-06:00',
        },
      ],
      [
        'becas',
        {
          numeroOficio: 'DEP/0458/2026',
          remitenteNombre: 'Lic. Óscar Peña',
          remitenteCargo: 'Jefe del Departamento de Becas',
          area: 'Dirección de Becas',
          asunto: 'Bloqueo de la cuenta del programa',
          recibidoEn: '2026-11-01T00:01:00-06:00',
        },
      ],
      [
        'cancelado',
        {
          numeroOficio: 'OF-100%/2026',
          remitenteNombre: 'Mtra. Olga Ruiz',
          remitenteCargo: 'Jefa de Departamento',
          area: 'Dirección Administrativa',
          asunto: 'Registrado por error',
          recibidoEn: '2026-11-02T10:00:00-06:00',
        },
      ],
    ];
    for (const [name, fields] of oficios) {
      const res = await postOficio(t, tok, pdf, {
        procedimiento: 'servicio-alta',
        fechaOficio: '2026-10-30',
        ...fields,
      }).expect(201);
      folio[name] = res.body.folio as string;
      ids[name] = res.body.id as string;
    }
    await settle(t);
    await http()
      .post(`/api/oficios/${ids.cancelado}/cancelar`)
      .set('Authorization', `Bearer ${tok}`)
      .send({ motivo: 'Registrado por error.' })
      .expect(200);
    await ds().transaction(async (em) => {
      for (let i = 0; i < BULK; i += 300) {
        const rows = Array.from({ length: Math.min(300, BULK - i) }, (_, j) => bulkOficio(i + j));
        await em.insert(Oficio, rows);
        for (const r of rows) await writeOficioWords(em, null, r);
      }
    });
  });
  afterAll(async () => t?.close());

  it('registration writes the words of sender and subject, folded, without the commonest short words', async () => {
    const o = await ds().getRepository(Oficio).findOneByOrFail({ id: ids.becas });
    expect(await words(o.folioAnio, o.folioNumero)).toEqual(
      [
        'r:lic',
        'r:oscar',
        'r:pena',
        'r:jefe',
        'r:departamento',
        'r:becas',
        'r:direccion',
        'a:bloqueo',
        'a:cuenta',
        'a:programa',
      ].sort(),
    );
    expect(o.recibidoMes).toBe(202611);
  });

  it('finds the sender’s number by its beginning, as typed (case, spaces), and nothing else', async () => {
    expect(await folios({ numero: 'dep/0457' })).toEqual([folio.primaria]);
    expect(await folios({ numero: ' DEP / 0457 / 2026 ' })).toEqual([folio.primaria]);
    expect(await folios({ numero: 'dep/045' })).toEqual([folio.primaria, folio.becas].sort());
    expect(await folios({ numero: 'OF-100%' })).toEqual([folio.cancelado]);
    expect(await folios({ numero: '%' })).toEqual([]);
    expect(await folios({ numero: 'DEP/0459' })).toEqual([]);
    // The number's beginning, not any part of it: the register looks it up by idx_oficio_duplicado.
    expect(await folios({ numero: '0457' })).toEqual([]);
    expect(await folios({ numero: 'ZUN/1/' })).toEqual(['SSST-2020-000002']);
    expect((await api({ numero: 'zun/' })).total).toBe(1000);
    expect((await api({ numero: 'zun/' })).totalAcotado).toBe(true);
  });

  it('a number’s beginning found in thousands is read from its index, sorted, paged and counted among them', async () => {
    expect(BULK).toBeGreaterThan(CANDIDATE_CAP);
    expect(BULK).toBeLessThan(NUMBER_CANDIDATE_CAP);
    const newest = (from: number, n: number, keep: (i: number) => boolean = () => true): string[] => {
      const out: string[] = [];
      for (let i = from; i >= 0 && out.length < n; i--)
        if (keep(i)) out.push(`SSST-2020-${String(i + 1).padStart(6, '0')}`);
      return out;
    };
    const shown = (p: { items: { oficio: { folio: string } }[] }) => p.items.map((e) => e.oficio.folio);
    // The number alone: the database sorts its 2,100 matches by folio and counts them from the index.
    const first = await register().page(SUBJEFATURA, { numero: 'zun/', porPagina: 25 });
    expect([first.total, first.totalAcotado, shown(first)]).toEqual([1000, true, newest(BULK - 1, 25)]);
    const second = await register().page(SUBJEFATURA, { numero: 'zun/', porPagina: 25, despues: first.siguiente! });
    expect(shown(second)).toEqual(newest(BULK - 26, 25));
    const back = await register().page(SUBJEFATURA, { numero: 'zun/', porPagina: 25, antes: second.anterior! });
    expect([shown(back), back.anterior, back.siguiente]).toEqual([shown(first), null, first.siguiente]);
    const third = (await api({ numero: 'zun/', porPagina: 25, pagina: 3 })).items.map((o) => o.folio);
    expect(third).toEqual(newest(BULK - 51, 25));
    // The oldest page: nothing after it.
    const last = await register().page(SUBJEFATURA, {
      numero: 'zun/',
      porPagina: 25,
      despues: Buffer.from(JSON.stringify([2020, 26])).toString('base64url'),
    });
    expect([shown(last), last.siguiente]).toEqual([newest(24, 25), null]);
    // With a Nivel's scope or another filter the keys only narrow: 300 of them are Secundaria's, counted exactly.
    const sec = await register().page(SECUNDARIA, { numero: 'zun/', porPagina: 25 });
    const isSec = (i: number): boolean => bulkNivel(i) === 'SECUNDARIA';
    expect([sec.total, sec.totalAcotado, shown(sec)]).toEqual([300, false, newest(BULK - 1, 25, isSec)]);
    const sec2 = await register().page(SECUNDARIA, { numero: 'zun/', porPagina: 25, despues: sec.siguiente! });
    expect(shown(sec2)).toEqual(newest(BULK - 1, 50, isSec).slice(25));
    const secBack = await register().page(SECUNDARIA, { numero: 'zun/', porPagina: 25, antes: sec2.anterior! });
    expect([shown(secBack), secBack.anterior]).toEqual([shown(sec), null]);
    // The folio's year with another condition: the year checked with them, on the number's matches.
    const secYear = await api({ numero: 'zun/', anio: 2020, nivel: 'SECUNDARIA', porPagina: 25 });
    expect([secYear.total, secYear.items.map((o) => o.folio)]).toEqual([300, newest(BULK - 1, 25, isSec)]);
    expect((await api({ numero: 'zun/', anio: 2026, nivel: 'SECUNDARIA' })).total).toBe(0);
    const sec13 = (await api({ numero: 'zun/', nivel: 'SECUNDARIA', porPagina: 25, pagina: 12 })).items;
    expect([sec13.length, sec13[0].folio]).toEqual([25, newest(BULK - 1, 276, isSec)[275]]);
    const none = await api({ numero: 'zun/', nivel: 'SECUNDARIA', pagina: 13 });
    expect([none.items, none.total]).toEqual([[], 300]);
    expect((await api({ numero: 'zun/', anio: 2026 })).total).toBe(0);
    // With the folio's year, the second column of the number's index: the same pages, sorted and counted as without it.
    const year = await register().page(SUBJEFATURA, { numero: 'zun/', anio: 2020, porPagina: 25 });
    expect([year.total, year.totalAcotado, shown(year)]).toEqual([1000, true, newest(BULK - 1, 25)]);
    const year2 = await register().page(SUBJEFATURA, {
      numero: 'zun/',
      anio: 2020,
      porPagina: 25,
      despues: year.siguiente!,
    });
    const yearBack = await register().page(SUBJEFATURA, {
      numero: 'zun/',
      anio: 2020,
      porPagina: 25,
      antes: year2.anterior!,
    });
    expect([shown(year2), shown(yearBack)]).toEqual([newest(BULK - 26, 25), newest(BULK - 1, 25)]);
    expect((await api({ numero: 'zun/1', anio: 2020, porPagina: 25, pagina: 3 })).items.map((o) => o.folio)).toEqual(
      newest(BULK - 1, 75, (i) => String(i).startsWith('1')).slice(50),
    );
    expect(await folios({ numero: 'dep/045', anio: 2026 })).toEqual([folio.primaria, folio.becas].sort());
    expect(await folios({ numero: 'dep/045', anio: 2020 })).toEqual([]);
    expect(await folios({ numero: 'zun/1', asunto: 'raro' })).toEqual([]);
    expect(await folios({ numero: 'zun/5', asunto: 'raro' })).toEqual(['SSST-2020-000006']);
  });

  it('a beginning found more than NUMBER_CANDIDATE_CAP times is paged through the register’s order instead', async () => {
    // Oficios of 2019, older than every other here, removed at the end (the backfill's check reads them all).
    const DENSE = NUMBER_CANDIDATE_CAP + 1;
    const dense = (i: number): Oficio => ({
      ...bulkOficio(i),
      folio: `SSST-2019-${String(i + 1).padStart(6, '0')}`,
      folioAnio: 2019,
      numeroRemitente: `DENSO/${i}`,
      numeroNormalizado: `DENSO/${i}`,
    });
    const oldest = (from: number, n: number): string[] =>
      Array.from({ length: n }, (_, j) => `SSST-2019-${String(from - j + 1).padStart(6, '0')}`);
    try {
      for (let i = 0; i < DENSE; i += 500)
        await ds()
          .getRepository(Oficio)
          .insert(Array.from({ length: Math.min(500, DENSE - i) }, (_, j) => dense(i + j)));
      const first = await register().page(SUBJEFATURA, { numero: 'denso/', porPagina: 25 });
      const shown = first.items.map((e) => e.oficio.folio);
      expect([first.total, first.totalAcotado, shown]).toEqual([1000, true, oldest(DENSE - 1, 25)]);
      const second = await register().page(SUBJEFATURA, { numero: 'denso/', porPagina: 25, despues: first.siguiente! });
      expect(second.items.map((e) => e.oficio.folio)).toEqual(oldest(DENSE - 26, 25));
      const third = await api({ numero: 'denso/', porPagina: 25, pagina: 3 });
      expect([third.items.map((o) => o.folio), third.total]).toEqual([oldest(DENSE - 51, 25), 1000]);
      // A Nivel's own: Secundaria's one in seven (not the newest, removed below), more than a thousand, on either side
      // of the cap.
      const secundaria = Array.from({ length: DENSE }, (_, j) => DENSE - 1 - j)
        .filter((i) => bulkNivel(i) === 'SECUNDARIA')
        .slice(0, 25)
        .map((i) => `SSST-2019-${String(i + 1).padStart(6, '0')}`);
      expect(bulkNivel(DENSE - 1)).toBe('PRIMARIA');
      const own = async () => {
        const p = await register().page(SECUNDARIA, { numero: 'denso/', porPagina: 25 });
        return [p.total, p.totalAcotado, p.items.map((e) => e.oficio.folio)];
      };
      expect(await own()).toEqual([1000, true, secundaria]);
      // At the cap, the database sorts and counts the matches: the same pages (the newest one removed).
      await ds().getRepository(Oficio).delete({ folioAnio: 2019, folioNumero: DENSE });
      const top = await register().page(SUBJEFATURA, { numero: 'denso/', porPagina: 25 });
      expect(top.items.map((e) => e.oficio.folio)).toEqual(oldest(DENSE - 2, 25));
      expect(await own()).toEqual([1000, true, secundaria]);
      const below = await register().page(SUBJEFATURA, { numero: 'denso/', porPagina: 25, despues: first.siguiente! });
      expect([below.total, below.items.map((e) => e.oficio.folio)]).toEqual([
        1000,
        second.items.map((e) => e.oficio.folio),
      ]);
    } finally {
      await ds().getRepository(Oficio).delete({ folioAnio: 2019 });
    }
  });

  it('finds words of sender and subject by their beginning, without accents or case; a word no oficio has gives 0', async () => {
    expect(await folios({ remitente: 'ANGELA nunez' })).toEqual([folio.primaria]);
    expect(await folios({ remitente: 'Ibáñez' })).toEqual([folio.primaria]);
    expect(await folios({ remitente: 'ÓSCAR PEÑA' })).toEqual([folio.becas]);
    expect(await folios({ remitente: 'pen' })).toEqual([folio.becas]);
    expect(await folios({ remitente: 'becas direccion' })).toEqual([folio.becas]);
    expect(await folios({ remitente: 'direc', anio: 2026 })).toEqual(
      [folio.primaria, folio.becas, folio.cancelado].sort(),
    );
    expect(await folios({ asunto: 'juárez BENITO' })).toEqual([folio.primaria]);
    expect(await folios({ asunto: 'cuenta', remitente: 'oscar' })).toEqual([folio.becas]);
    // A stop word is checked on the rows, not looked up in the index: «de» and «del» still find.
    expect(await folios({ asunto: 'de bloqueo' })).toEqual([folio.becas]);
    expect(await folios({ asunto: 'del programa' })).toEqual([folio.becas]);
    const absent: Record<string, string>[] = [
      { remitente: 'xochitl' },
      { asunto: 'xochitl' },
      { remitente: 'ramon secundaria' },
    ];
    for (const q of absent) {
      const page = await api(q);
      expect([q, page.items, page.total, page.totalAcotado]).toEqual([q, [], 0, false]);
    }
    expect(await folios({ remitente: '100%_!' })).toEqual([]);
    const html = await register().page(SUBJEFATURA, { remitente: 'xochitl' });
    expect([html.items, html.total, html.siguiente]).toEqual([[], 0, null]);
  });

  it('the same words among thousands: read through the order with a capped count, or from the index and sorted', async () => {
    expect(BULK).toBeGreaterThan(CANDIDATE_CAP);
    // «zuniga» is in 2,100 oficios (more than the index lookup reads): the register's order, counted up to 1,000.
    const first = await register().page(SUBJEFATURA, { remitente: 'zuñiga', porPagina: 25 });
    expect([first.total, first.totalAcotado]).toEqual([1000, true]);
    expect(first.items.map((e) => e.oficio.folio)).toEqual(
      Array.from({ length: 25 }, (_, k) => `SSST-2020-${String(BULK - k).padStart(6, '0')}`),
    );
    const second = await register().page(SUBJEFATURA, { remitente: 'zuniga', despues: first.siguiente! });
    expect(second.items[0].oficio.folio).toBe(`SSST-2020-${String(BULK - 25).padStart(6, '0')}`);
    const back = await register().page(SUBJEFATURA, { remitente: 'zuniga', antes: second.anterior! });
    expect(back.items.map((e) => e.oficio.folio)).toEqual(first.items.map((e) => e.oficio.folio));
    // A Nivel's «Mis oficios»: 300 of them are Secundaria's, counted exactly.
    const sec = await register().page(SECUNDARIA, { remitente: 'zuniga' });
    expect([sec.total, sec.totalAcotado]).toEqual([300, false]);
    expect(sec.items.every((e) => e.oficio.nivel === 'SECUNDARIA')).toBe(true);
    // «lote» is in 1,500 (few enough to read and sort): 215 of them Secundaria's.
    expect([(await api({ asunto: 'lote' })).total, (await api({ asunto: 'lote' })).totalAcotado]).toEqual([1000, true]);
    const lote = await register().page(SECUNDARIA, { asunto: 'lote', porPagina: 100 });
    expect([lote.total, lote.items[0].oficio.folio]).toEqual([215, 'SSST-2020-001499']);
    // One rare word narrows a frequent one; an absent one empties it.
    expect(await folios({ remitente: 'zuniga', asunto: 'raro' })).toEqual(['SSST-2020-000006']);
    expect(await folios({ remitente: 'zuniga ernesto', asunto: 'lote caso' })).toEqual(['SSST-2020-000006']);
    expect((await api({ remitente: 'zuniga', asunto: 'inexistente' })).total).toBe(0);
  });

  it('takes the word index’s entries as the matches only for words it holds whole', async () => {
    // Two senders whose surnames share their first WORD_MAX letters: the index keeps both cut to the same word.
    const stem = 'h'.repeat(WORD_MAX);
    const at = new Date(Date.UTC(2019, 0, 7, 18));
    const rows = ['uno', 'dos'].map((end, k): Oficio => {
      const nombre = `Lic. Ana ${stem}${end}`;
      return {
        ...bulkOficio(0),
        id: randomUUID(),
        caseId: randomUUID(),
        folio: `SSST-2019-00000${k + 1}`,
        folioAnio: 2019,
        folioNumero: k + 1,
        numeroRemitente: `LAR/${k}/2019`,
        numeroNormalizado: `LAR/${k}/2019`,
        remitenteNombre: nombre,
        remitenteBusqueda: searchText(nombre, 'Director'),
        recibidoAt: at,
        recibidoMes: receiptMonth(at),
        createdAt: at,
      };
    });
    await ds().transaction(async (em) => {
      await em.insert(Oficio, rows);
      for (const r of rows) await writeOficioWords(em, null, r);
    });
    for (const end of ['uno', 'dos']) {
      const page = await api({ remitente: `${stem}${end}` });
      expect([end, page.items.map((o) => o.folio), page.total]).toEqual([
        end,
        [`SSST-2019-00000${end === 'uno' ? 1 : 2}`],
        1,
      ]);
    }
    expect((await api({ remitente: stem })).total).toBe(2);
    // «para» begins a stop word, which the index leaves out: it is checked on the rows, so «bloqueo» alone does not
    // decide (the oficio of Becas has «bloqueo» but no word beginning with «para»).
    expect(await folios({ asunto: 'bloqueo' })).toEqual([folio.becas]);
    expect(await folios({ asunto: 'para bloqueo' })).toEqual([]);
    expect(await folios({ asunto: 'para cuenta' })).toEqual([folio.primaria]);
  });

  it('finds the cancelled oficios and the month of receipt in Colima (UTC-6) by their own order', async () => {
    expect(await folios({ estado: 'cancelado' })).toEqual([folio.cancelado]);
    expect((await folios({ estado: 'registrado', anio: 2026 })).sort()).toEqual([folio.primaria, folio.becas].sort());
    // 23:59 of 31 October in Colima is already 1 November in UTC: it belongs to October.
    expect(await folios({ mes: '2026-10' })).toEqual([folio.primaria]);
    expect(await folios({ mes: '11/2026' })).toEqual([folio.becas, folio.cancelado].sort());
    expect(await folios({ mes: '2026-11', estado: 'cancelado' })).toEqual([folio.cancelado]);
    expect(await folios({ mes: '2026-09' })).toEqual([]);
    expect((await api({ mes: '2020-06' })).total).toBe(1000);
    expect(receiptMonth(new Date('2026-11-01T05:59:00Z'))).toBe(202610);
    expect(receiptMonth(new Date('2026-11-01T06:00:00Z'))).toBe(202611);
  });

  it('GET /api/oficios counts up to 1,000 and pages by number or by cursor', async () => {
    const p1 = await api({ porPagina: 10 });
    expect([p1.total, p1.totalAcotado, p1.items.length]).toEqual([1000, true, 10]);
    const p2 = await api({ porPagina: 10, pagina: 2 });
    const next = await api({ porPagina: 10, despues: p1.siguiente! });
    expect(next.items).toEqual(p2.items);
    const small = await api({ anio: 2026 });
    expect([small.total, small.totalAcotado]).toEqual([3, false]);
    const far = await api({ porPagina: 25, pagina: 401 }, 400);
    expect(JSON.stringify(far)).toContain('Las páginas por número llegan hasta el oficio 10,000');
    const both = await api({ pagina: 2, despues: p1.siguiente! }, 400);
    expect(JSON.stringify(both)).toContain('Indique «pagina» o un cursor');
  });

  it('keeps the words in step when an oficio’s sender or subject change', async () => {
    const repo = ds().getRepository(Oficio);
    const before = await repo.findOneByOrFail({ id: ids.primaria });
    const after: Oficio = {
      ...before,
      asunto: 'Alta de la cuenta del Jardín de Niños «Tenochtitlan»',
      asuntoBusqueda: searchText('Alta de la cuenta del Jardín de Niños «Tenochtitlan»'),
    };
    await ds().transaction(async (em) => {
      await em.update(Oficio, { id: before.id }, { asunto: after.asunto, asuntoBusqueda: after.asuntoBusqueda });
      await writeOficioWords(em, before, after);
    });
    expect(await folios({ asunto: 'tenochtitlan jardin' })).toEqual([folio.primaria]);
    expect(await folios({ asunto: 'benito' })).toEqual([]);
    expect((await words(before.folioAnio, before.folioNumero)).filter((w) => w.startsWith('a:'))).toEqual(
      ['a:alta', 'a:cuenta', 'a:jardin', 'a:ninos', 'a:tenochtitlan'].sort(),
    );
  });

  it('the migration’s backfill writes the same words and months as registration did', async () => {
    const all = async () =>
      (await ds().getRepository(OficioWord).find())
        .map((w) => `${w.field}:${w.word}:${w.folioAnio}:${w.folioNumero}`)
        .sort();
    const months = async () =>
      (
        await ds()
          .getRepository(Oficio)
          .find({ select: { folio: true, recibidoMes: true }, order: { folio: 'ASC' } })
      ).map((o) => `${o.folio}:${o.recibidoMes}`);
    const wordsBefore = await all();
    const monthsBefore = await months();
    await ds().getRepository(OficioWord).clear();
    await ds().createQueryBuilder().update(Oficio).set({ recibidoMes: 0 }).execute();
    expect(await folios({ remitente: 'oscar' })).toEqual([]);
    const runner = ds().createQueryRunner();
    try {
      await backfillReceiptMonth(runner, TEST_DIALECT === 'sqlite' ? 'sqlite' : 'mysql');
      await backfillOficioWords(runner, TEST_DIALECT === 'sqlite' ? 'sqlite' : 'mysql');
    } finally {
      await runner.release();
    }
    expect(await all()).toEqual(wordsBefore);
    expect(await months()).toEqual(monthsBefore);
    expect(await folios({ remitente: 'oscar' })).toEqual([folio.becas]);
  });
});

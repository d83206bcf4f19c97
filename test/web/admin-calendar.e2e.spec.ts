/**
 * The días inhábiles page (/admin/calendario): administrators only; a year's art. 74 days shown as official (also
 * one an administrator removed, to put back); adding a day, a vacation period (weekdays only) and the usual
 * institutional days; bad input answered in Spanish with a 400 and nothing saved; removing a day; due dates follow.
 * Years are fixed far from today's, so the suite passes on any date.
 */
import { addBusinessDays, officialHolidays } from '../../src/engine/business-calendar';
import { CalendarService } from '../../src/engine/calendar.service';
import { DiaInhabil } from '../../src/engine/entities/holiday.entity';
import { pageRequests } from '../admin/pages';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

const YEAR = 2034;

describe('días inhábiles page for administrators', () => {
  let t: TestApp & { base: string };
  let admin = '';
  let clerk = '';
  const rows = () => t.db.dataSource.getRepository(DiaInhabil);
  const datesOf = async (year: number): Promise<string[]> =>
    (await rows().find())
      .map((d) => d.fecha)
      .filter((f) => f.startsWith(`${year}-`))
      .sort();
  const pages = pageRequests(() => t);
  const get = (path: string, token = admin) => pages.get(path, token);
  const post = (path: string, form: Record<string, string>, token = admin) => pages.post(path, form, token);

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await createStaff(t.db.dataSource, 'admin', 'administrador');
    await createStaff(t.db.dataSource, 'oficialia', 'subdireccion');
    admin = await login(t.app, 'admin');
    clerk = await login(t.app, 'oficialia');
  });
  beforeEach(async () => {
    await rows().clear();
    await rows().insert(officialHolidays(YEAR));
  });
  afterAll(async () => t?.close());

  it('is for administrators only: other staff get 403, no session goes to sign in, and the menu links it', async () => {
    expect((await get(`/admin/calendario?anio=${YEAR}`, clerk)).status).toBe(403);
    const anon = await pages.get('/admin/calendario');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/personal\/entrar/);
    expect((await post('/admin/calendario', { desde: `${YEAR}-11-02`, descripcion: 'x' }, clerk)).status).toBe(403);
    expect(await datesOf(YEAR)).toEqual(officialHolidays(YEAR).map((h) => h.fecha));
    const page = await get(`/admin/calendario?anio=${YEAR}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/calendario" aria-current="page"');
  });

  it('shows the art. 74 days as official, and one removed as removed with a button to put it back', async () => {
    await rows().delete({ fecha: `${YEAR}-05-01` });
    const page = await get(`/admin/calendario?anio=${YEAR}`);
    expect(page.status).toBe(200);
    for (const h of officialHolidays(YEAR)) expect(page.text).toContain(`data-fecha="${h.fecha}"`);
    expect(page.text.match(/Oficial \(LFT art\. 74\)/g)).toHaveLength(officialHolidays(YEAR).length);
    const mayo = /<tr class="fila-cancelada" data-fecha="2034-05-01">.*?<\/tr>/s.exec(page.text)?.[0] ?? '';
    expect(mayo).toContain('Quitado del calendario');
    expect(mayo).toContain('Volver a agregar');
    // Easter 2034 is 9 April: Holy Thursday and Friday are offered, and 2 November.
    expect(page.text).toContain('Agregar Jueves y Viernes Santo (06/04/2034 al 07/04/2034)');
    expect(page.text).toContain('Agregar Día de Muertos (02/11/2034)');
  });

  it('adds Holy Thursday and Friday and a vacation period (its weekdays), and due dates skip them', async () => {
    const santo = await post('/admin/calendario', {
      anio: String(YEAR),
      desde: `${YEAR}-04-06`,
      hasta: `${YEAR}-04-07`,
      descripcion: 'Jueves y Viernes Santo',
    });
    expect(santo.status).toBe(201);
    expect(santo.text).toContain('Se agregaron 2 días inhábiles (Jueves y Viernes Santo).');
    expect(santo.text).not.toContain('Agregar Jueves y Viernes Santo');
    // Winter vacation: Monday 18 to Friday 29 December, with Christmas already official and two weekends inside.
    const invierno = await post('/admin/calendario', {
      desde: `${YEAR}-12-18`,
      hasta: `${YEAR}-12-29`,
      descripcion: 'Vacaciones de invierno (calendario escolar SEP)',
    });
    expect(invierno.status).toBe(201);
    expect(invierno.text).toContain('Se agregaron 9 días inhábiles');
    expect(invierno.text).toContain('Ya estaban en el calendario: 25/12/2034.');
    const dates = await datesOf(YEAR);
    expect(dates).toEqual(
      [
        ...officialHolidays(YEAR).map((h) => h.fecha),
        `${YEAR}-04-06`,
        `${YEAR}-04-07`,
        ...['18', '19', '20', '21', '22', '26', '27', '28', '29'].map((d) => `${YEAR}-12-${d}`),
      ].sort(),
    );
    expect(await rows().findOneByOrFail({ fecha: `${YEAR}-12-25` })).toEqual({
      fecha: `${YEAR}-12-25`,
      descripcion: 'Navidad',
    });
    // The service's cache was dropped: a task received on Wednesday 5 April with one day is due Monday 10 April.
    const due = await t.app.get(CalendarService).dueDate(new Date(`${YEAR}-04-05T16:00:00Z`), 1);
    expect(due).toEqual(addBusinessDays(new Date(`${YEAR}-04-05T16:00:00Z`), 1, new Set(dates)));
    expect(due.toISOString()).toBe(`${YEAR}-04-11T05:59:59.000Z`);
  });

  it.each([
    // Blank: the missing date, not its format (one message per field).
    [{ desde: '', descripcion: 'Día de Muertos' }, 'desde', 'Escriba la fecha «Desde».'],
    [{ desde: `${YEAR}-02-30`, descripcion: 'Día de Muertos' }, 'desde', `La fecha «Desde» (${YEAR}-02-30) no existe`],
    [{ desde: `${YEAR}-11-02`, descripcion: 'x' }, 'descripcion', 'al menos 3 caracteres'],
    [{ desde: `${YEAR}-11-02`, descripcion: 'y'.repeat(121) }, 'descripcion', 'hasta 120 caracteres'],
    [{ desde: `${YEAR}-11-10`, hasta: `${YEAR}-11-02`, descripcion: 'Periodo' }, 'hasta', 'no puede ser anterior'],
    [{ desde: `${YEAR}-01-02`, hasta: `${YEAR}-06-30`, descripcion: 'Periodo' }, 'hasta', 'hasta 92 días'],
    [{ desde: `${YEAR}-11-04`, descripcion: 'Un sábado' }, 'desde', 'Sábados y domingos ya son inhábiles'],
  ])('rejects %j beside its field %s with a Spanish message, a 400 and nothing saved', async (form, campo, message) => {
    const res = await post('/admin/calendario', form);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.text.replace(/&#x27;|&quot;|&amp;/g, '');
    // Beside the field (its error paragraph, which the input names in aria-describedby), not only in a block on top.
    const beside = new RegExp(
      `<p class="campo-error" id="f-${campo}-error">[^<]*<span[^>]*>[^<]*</span>[^<]*${escapeRe(message)}`,
    );
    expect(html).toMatch(beside);
    expect(await datesOf(YEAR)).toEqual(officialHolidays(YEAR).map((h) => h.fecha));
  });

  it('removes a day (303 back to its year) and answers 404 for a date not in the calendar', async () => {
    const res = await post(`/admin/calendario/${YEAR}-09-16/eliminar`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/calendario?anio=${YEAR}&aviso=eliminado`);
    expect(await datesOf(YEAR)).not.toContain(`${YEAR}-09-16`);
    const page = await get(res.headers.location);
    expect(page.text).toContain('Se quitó el día del calendario.');
    expect((await post(`/admin/calendario/${YEAR}-09-16/eliminar`, {})).status).toBe(404);
    expect((await post(`/admin/calendario/no-es-fecha/eliminar`, {})).status).toBe(404);
  });

  it('answers 400 for a year that is not one', async () => {
    const res = await get('/admin/calendario?anio=12');
    expect(res.status).toBe(400);
    expect(res.text).toContain('El año debe ser un número de cuatro cifras');
  });
});

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

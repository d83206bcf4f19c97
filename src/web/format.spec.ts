import { datetimeLocalMx, datetimeLocalToIso, fecha, fechaHora, fechaIso, nivelNombre, roleName } from './format';
import { query } from './layout';
import { safeNext } from './page-auth';

describe('what the staff pages print', () => {
  it('shows instants in Mexico City (UTC-6 all year, no daylight saving since 2022)', () => {
    expect(fechaHora('2026-11-28T18:05:00Z')).toBe('28/11/2026 12:05');
    expect(fechaHora(new Date('2026-07-01T05:30:00Z'))).toBe('30/06/2026 23:30');
    expect(fecha('2027-01-01T05:59:59Z')).toBe('31/12/2026');
    expect(fechaIso('2026-11-20')).toBe('20/11/2026');
  });

  it('names a level as people do, not by its key', () => {
    expect(nivelNombre('PRIMARIA')).toBe('Primaria');
    expect(nivelNombre('MEDIA_SUPERIOR')).toBe('Media Superior');
    expect(nivelNombre('EDUCACION_ESPECIAL')).toBe('Educacion especial');
    expect(roleName({ role: 'nivel', nivelClave: 'SECUNDARIA' })).toBe('Nivel Secundaria');
    expect(roleName({ role: 'subjefatura', nivelClave: null })).toBe('Subjefatura de Sistemas');
  });

  it('round-trips a datetime-local typed in Colima to the instant it means', () => {
    const iso = datetimeLocalToIso('2026-11-28T11:05');
    expect(iso).toBe('2026-11-28T11:05:00-06:00');
    expect(new Date(iso).toISOString()).toBe('2026-11-28T17:05:00.000Z');
    expect(datetimeLocalMx(new Date(iso))).toBe('2026-11-28T11:05');
    expect(datetimeLocalToIso('mañana')).toBe('mañana');
  });

  it('comes back after sign-in only to a path of this site', () => {
    expect(safeNext('/tramites/abc?x=1')).toBe('/tramites/abc?x=1');
    for (const bad of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'bandeja',
      '',
      undefined,
      ['/bandeja'],
    ])
      expect(safeNext(bad)).toBeNull();
  });

  it('builds query strings from the filters that are set', () => {
    expect(query({ folio: 'SSST-2026-000001', curp: '', vencidas: false, pagina: 2, x: null })).toBe(
      '?folio=SSST-2026-000001&pagina=2',
    );
    expect(query({})).toBe('');
  });
});

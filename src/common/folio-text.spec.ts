import { folioCandidates, parseFolio } from './folio-text';

describe('folios as people type them', () => {
  it('reads the number and, when given, the year', () => {
    expect(parseFolio('6')).toEqual({ anio: null, numero: 6 });
    expect(parseFolio(' ssst-2026-000006 ')).toEqual({ anio: 2026, numero: 6 });
    expect(parseFolio('SSST-2026')).toBeNull();
    expect(parseFolio('DRH/45')).toBeNull();
  });

  it('names the folio in full in this year and the four before, and keeps the text as typed', () => {
    expect(folioCandidates('6', 2027)).toEqual([
      '6',
      'SSST-2027-000006',
      'SSST-2026-000006',
      'SSST-2025-000006',
      'SSST-2024-000006',
      'SSST-2023-000006',
    ]);
    expect(folioCandidates('2026-6', 2027)).toEqual(['2026-6', 'SSST-2026-000006']);
    expect(folioCandidates('ssst-2026-000006', 2027)).toEqual(['SSST-2026-000006']);
    // A folio written another way (4 digits) is still found as typed.
    expect(folioCandidates('SSST-2026-0007', 2027)).toEqual(['SSST-2026-0007', 'SSST-2026-000007']);
    expect(folioCandidates(' drh/45 ', 2027)).toEqual(['DRH/45']);
  });
});

import { containsPattern, searchText, searchWords } from './search-text';

describe('search text', () => {
  it('folds accents, ñ, case and punctuation the way people type', () => {
    expect(searchText('Ramón', 'PEÑA', null, 'Ibáñez-Núñez')).toBe('ramon pena ibanez nunez');
    expect(searchText('  Escuela  Primaria "Benito Juárez" ')).toBe('escuela primaria benito juarez');
    expect(searchText('Kʼiin Ŭlloa Łukasz')).toBe('k iin ulloa lukasz');
  });

  it('splits a search into at most six folded words', () => {
    expect(searchWords('  Peña, RAMÓN ')).toEqual(['pena', 'ramon']);
    expect(searchWords('a b c d e f g h')).toHaveLength(6);
    expect(searchWords('¿?')).toEqual([]);
  });

  it('escapes LIKE wildcards', () => {
    expect(containsPattern('50%_x!')).toBe('%50!%!_x!!%');
  });
});

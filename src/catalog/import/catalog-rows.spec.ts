import {
  keyOfLongRow,
  mapHeader,
  parseCentroRow,
  parseEstatus,
  parseTrabajadorRow,
  recognizeKind,
  type TrabajadorField,
} from './catalog-rows';
import { nivelClave } from './niveles';

describe('parseEstatus', () => {
  it.each([
    ['ACTIVO', true],
    ['activa', true],
    ['', true],
    ['Licencia con goce', true],
    ['BAJA', false],
    ['Baja definitiva', false],
    ['jubilada', false],
    ['INACTIVO', false],
    ['QUIZÁ', null],
    ['ACTIVO?', true],
    ['B X', null],
  ])('%s → %s', (raw, expected) => {
    expect(parseEstatus(raw)).toBe(expected);
  });
});

describe('nivelClave', () => {
  it('is upper snake case without accents', () => {
    expect(nivelClave('Media Superior')).toBe('MEDIA_SUPERIOR');
    expect(nivelClave(' Educación  Especial ')).toBe('EDUCACION_ESPECIAL');
    expect(nivelClave('Inicial (0-3 años)')).toBe('INICIAL_0_3_ANOS');
  });
});

describe('row parsing', () => {
  const get =
    (values: Record<string, string>) =>
    (f: string): string | undefined =>
      values[f];

  it('normalizes a good worker row', () => {
    const r = parseTrabajadorRow(
      get({
        curp: ' beml920313hmclns09 ',
        curt: 'ab12',
        nombre: '  Luis   Raúl ',
        primer_apellido: 'Bello',
        segundo_apellido: '',
        correo_alterno: 'Luis.Bello@Gmail.com',
        cct: '06dpr0001z',
        nivel: 'Primaria',
        estatus: 'Activo',
      }),
    );
    expect(r).toEqual({
      ok: true,
      key: 'BEML920313HMCLNS09',
      nivel: { clave: 'PRIMARIA', nombre: 'Primaria' },
      record: {
        curp: 'BEML920313HMCLNS09',
        curt: 'AB12',
        nombre: 'Luis Raúl',
        primerApellido: 'Bello',
        segundoApellido: null,
        correoAlterno: 'luis.bello@gmail.com',
        cct: '06DPR0001Z',
        nivelClave: 'PRIMARIA',
        activo: true,
      },
    });
  });

  it('gathers every problem of a row in one reason', () => {
    const r = parseTrabajadorRow(get({ curp: '', curt: 'A B', nombre: 'x'.repeat(121), primer_apellido: '' }));
    expect(r).toEqual({
      ok: false,
      key: null,
      reason:
        'Falta la CURP. La CURT no puede tener espacios. Falta el primer apellido. El nombre admite hasta 120 caracteres y tiene 121.',
    });
  });

  it('validates a school row', () => {
    expect(
      parseCentroRow(
        get({ cct: '06DPR0001Z', nombre: 'Escuela Primaria Benito Juárez', nivel: 'primaria', correo: 'no es correo' }),
      ),
    ).toMatchObject({
      ok: false,
      key: '06DPR0001Z',
      reason: expect.stringMatching(/^Correo: .*espacios/),
    });
  });

  it('maps aliases of the header', () => {
    const { columns, ignored } = mapHeader<TrabajadorField>('trabajadores', [
      'Apellido Paterno',
      'Apellido materno',
      'Nombre(s)',
      'CURP',
      'CURT',
      'RFC',
    ]);
    expect(Object.fromEntries(columns)).toEqual({
      primer_apellido: 0,
      segundo_apellido: 1,
      nombre: 2,
      curp: 3,
      curt: 4,
    });
    expect(ignored).toEqual(['RFC']);
  });
});

describe('keyOfLongRow', () => {
  const A = 'BEML920313HMCLNS09';
  const B = 'GOTA850101MCMMPN05';

  it('reads the key at its column or shifted right by the values too many, only when one well-formed key is there', () => {
    expect(keyOfLongRow('trabajadores', 0, [' beml920313hmclns09', 'K1', 'Luis', 'Bello', 'x'], 4)).toBe(A);
    expect(keyOfLongRow('trabajadores', 2, ['Luis', 'Bello', ' de', A, 'K1'], 4)).toBe(A);
    // Beyond the shift the row allows, or two different keys in reach: not read.
    expect(keyOfLongRow('trabajadores', 1, ['Luis', 'x', 'y', A], 3)).toBeNull();
    expect(keyOfLongRow('trabajadores', 0, [A, B, 'Luis'], 2)).toBeNull();
    expect(keyOfLongRow('trabajadores', 0, ['BEML920313HMCLNS08', 'K1', 'x'], 2)).toBeNull();
    expect(keyOfLongRow('centros', 0, ['06dpr0001z', 'Escuela', 'Primaria', 'x'], 3)).toBe('06DPR0001Z');
  });
});

describe('recognizeKind', () => {
  it.each([
    [['CURP', 'CURT', 'Nombre', 'Primer apellido', 'CCT', 'Nivel', 'Estatus'], 'trabajadores'],
    [['cct', 'nombre', 'nivel', 'curt'], 'trabajadores'], // a school catalog never carries a CURT
    [['Apellido Paterno', 'Nombre(s)', 'CURP', 'CURT', 'Correo'], 'trabajadores'],
    [['CCT', 'Nombre', 'Nivel', 'CURP director', 'Correo', 'Municipio'], 'centros'],
    [['Clave CCT', 'Nombre del centro', 'Nivel educativo', 'Email'], 'centros'],
    [['cct', 'nombre', 'nivel'], null],
    [['CCT', 'Nombre', 'Nivel', 'CURP', 'Correo'], null], // one of each: the declared kind decides
  ])('%j → %s', (header, kind) => {
    expect(recognizeKind(header)).toBe(kind);
  });
});

import { xlsxBook } from '../../test/support/xlsx-book';
import { DomainError } from '../common/domain-error';
import { rowsFromFile, rowsFromTable, rowsFromText, SCHOOL_ANNEX, SERVICIO_ANNEX } from './oficio-lines-form';

/** The annex's file refused: its 422 on the file field, and its message. */
const refused = async (content: Buffer): Promise<string> => {
  const e = await rowsFromFile(SCHOOL_ANNEX, content).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  expect(e).toMatchObject({ code: 'LINEAS_CSV_INVALIDO', status: 422, details: { campo: 'lineasCsv' } });
  return (e as DomainError).message;
};

describe('rowsFromFile: the annex of an oficio from a CSV or an Excel book, by its bytes', () => {
  it('an .xlsx and the same table as CSV give the same lines: header by name, any order, other columns ignored', async () => {
    const table = [
      ['Núm.', 'Nombre de la cuenta', 'C.C.T.', 'Observaciones'],
      ['1', 'Escuela Primaria Benito Juárez', '06DPR0012X', 'urgente'],
      ['2', '', '', 'nota sin escuela'],
      ['3', 'Jardín de Niños «Colima»', '06DJN0001A', ''],
    ];
    const csv = Buffer.from(table.map((r) => r.join(';')).join('\r\n'), 'utf8');
    const xlsx = xlsxBook([{ rows: table }]);
    const expected = [
      { cct: '06DPR0012X', nombre: 'Escuela Primaria Benito Juárez' },
      { cct: '06DJN0001A', nombre: 'Jardín de Niños «Colima»' },
    ];
    expect(await rowsFromFile(SCHOOL_ANNEX, csv)).toEqual(expected);
    expect(await rowsFromFile(SCHOOL_ANNEX, xlsx)).toEqual(expected);
  });

  it('a numeric name and gaps in the sheet: the cell under each header, trimmed', async () => {
    const xlsx = xlsxBook([{ rows: [[null, 'CCT', null, 'nombre'], null, [7, ' 06DPR0012X ', null, 2024]] }]);
    expect(await rowsFromFile(SCHOOL_ANNEX, xlsx)).toEqual([{ cct: '06DPR0012X', nombre: '2024' }]);
  });

  it('without the columns, without lines, or more than 500: the CSV path’s messages', async () => {
    expect(
      await refused(
        xlsxBook([
          {
            rows: [
              ['clave escuela', null, 'escuela'],
              ['06DPR0012X', null, 'E'],
            ],
          },
        ]),
      ),
    ).toBe(
      'El archivo de escuelas debe tener en su primera línea las columnas «CCT» y «nombre» (tiene: clave escuela, escuela).',
    );
    expect(await refused(xlsxBook([{ rows: [] }]))).toBe(
      'El archivo de escuelas debe tener en su primera línea las columnas «CCT» y «nombre» (tiene: ninguna).',
    );
    expect(await refused(xlsxBook([{ rows: [['CCT', 'nombre']] }]))).toBe(
      'El archivo de escuelas no tiene líneas después de su encabezado.',
    );
    const rows = (n: number) => [
      ['CCT', 'nombre'],
      ...Array.from({ length: n }, (_, i) => [`06DPR${String(i).padStart(4, '0')}X`, `Escuela ${i}`]),
    ];
    expect(await rowsFromFile(SCHOOL_ANNEX, xlsxBook([{ rows: rows(500) }]))).toHaveLength(500);
    expect(await refused(xlsxBook([{ rows: rows(501) }]))).toBe(
      'La primera hoja del libro tiene más de 500 filas de escuelas; se admiten hasta 500.',
    );
  });

  it('an .xls, named .csv or not: told by its bytes, with what to do', async () => {
    const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]);
    expect(await refused(xls)).toBe(
      'El archivo de escuelas no se pudo leer: El archivo es un libro de Excel 97-2003 (.xls), que no se puede leer. Ábralo en Excel y, con «Guardar como», guárdelo como «Libro de Excel (.xlsx)» o como «CSV UTF-8 (delimitado por comas)».',
    );
  });

  it('5.3.1: the same header rules for CURP, cuenta and an optional tipo; «Función» read as funcion', async () => {
    const curp = 'NUOM800101MCMXCH01';
    const table = [
      ['No.', 'Cuenta', 'Tipo de cuenta', 'CURP del titular'],
      ['1', 'becas.colima', 'Función', curp.toLowerCase()],
      ['2', 'becas.manzanillo', '', curp],
    ];
    const expected = [
      { curp, cuenta: 'becas.colima', tipo: 'funcion' },
      { curp, cuenta: 'becas.manzanillo', tipo: '' },
    ];
    expect(await rowsFromFile(SERVICIO_ANNEX, xlsxBook([{ rows: table }]))).toEqual(expected);
    const csv = Buffer.from(`curp,cuenta\n${curp},becas.tecoman\n`);
    expect(await rowsFromFile(SERVICIO_ANNEX, csv)).toEqual([{ curp, cuenta: 'becas.tecoman', tipo: '' }]);
    const e = await rowsFromFile(SERVICIO_ANNEX, Buffer.from('CCT;nombre\n06DPR0012X;E\n')).catch((x: unknown) => x);
    expect((e as DomainError).message).toBe(
      'El archivo de cuentas debe tener en su primera línea las columnas «CURP» y «cuenta» (tiene: CCT, nombre).',
    );
    // The pasted list: the last column takes the rest; the table: a row with only its type is blank.
    expect(rowsFromText(SERVICIO_ANNEX, `${curp}; becas.armeria\n\n${curp},becas.villa, servicio`)).toEqual([
      { curp, cuenta: 'becas.armeria', tipo: '' },
      { curp, cuenta: 'becas.villa', tipo: 'servicio' },
    ]);
    expect(
      rowsFromTable(SERVICIO_ANNEX, {
        lineaCurp: [curp, ''],
        lineaCuenta: ['becas.coquimatlan', ''],
        lineaTipo: ['funcion', 'servicio'],
      }),
    ).toEqual([{ curp, cuenta: 'becas.coquimatlan', tipo: 'funcion' }]);
  });
});

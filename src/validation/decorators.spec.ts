import 'reflect-metadata';
import { validate } from 'class-validator';
import { IsCct, IsCurp, IsEmailAddress, IsInstitutionalLocalPart } from './decorators';

class Solicitud {
  @IsCurp()
  curp!: unknown;

  @IsCct()
  cct!: unknown;

  @IsInstitutionalLocalPart({ mailDomain: 'colima.gob.mx' })
  cuenta!: unknown;

  @IsEmailAddress()
  correoAlterno!: unknown;

  @IsCurp({ each: true })
  otros!: unknown;
}

const build = (over: Partial<Solicitud>): Solicitud =>
  Object.assign(new Solicitud(), {
    curp: 'BEML920313HMCLNS09',
    cct: '06DPR0001Z',
    cuenta: 'luis.bello',
    correoAlterno: 'luis@gmail.com',
    otros: ['BOXW310820HNERXN09'],
    ...over,
  });

const messages = async (o: Solicitud): Promise<Record<string, string[]>> =>
  Object.fromEntries((await validate(o)).map((e) => [e.property, Object.values(e.constraints ?? {})]));

describe('validation decorators', () => {
  it('pass valid values', async () => {
    expect(await messages(build({}))).toEqual({});
  });

  it('report the precise Spanish reason of each field', async () => {
    const errors = await messages(
      build({
        curp: 'BEML920313HMCLNS08',
        cct: '06DPR001Z',
        cuenta: 'Luis',
        correoAlterno: 'luis@',
        otros: ['BOXW310820HNERXN09', 'GOMA970229MCMRRN01'],
      }),
    );
    expect(errors.curp).toEqual([expect.stringMatching(/dígito verificador/)]);
    expect(errors.cct).toEqual(['La CCT debe tener 10 caracteres y tiene 9.']);
    expect(errors.cuenta).toEqual(['El nombre de la cuenta debe ir en minúsculas.']);
    expect(errors.correoAlterno).toEqual([expect.stringMatching(/no tiene dominio/)]);
    expect(errors.otros).toEqual([expect.stringMatching(/29 de febrero de 1997/)]);
  });

  it('reject values that are not text', async () => {
    const errors = await messages(build({ curp: 123 }));
    expect(errors.curp).toEqual(['El campo curp debe ser texto.']);
  });
});

import { EVENT_PAYLOADS } from '../../machines';
import { generateCurp } from '../validation/curp-generate';
import { DomainError } from '../common/domain-error';
import { assertPayload, isSystemEvent, payloadProblem } from './event-payloads';

const CURP = generateCurp({
  primerApellido: 'Gómez',
  segundoApellido: 'Ruiz',
  nombre: 'Ana',
  fechaNacimiento: { year: 1985, month: 3, day: 15 },
  sexo: 'M',
  estado: 'CM',
});
const problem = (event: { type: string } & Record<string, unknown>) => payloadProblem(EVENT_PAYLOADS, event);

describe('payloadProblem', () => {
  it("refuses a CCT of another state than the installation's (CCT_STATE_CODE), and takes one of its own", () => {
    const crear = { type: 'CREAR_CUENTA', tipo: 'centro_trabajo', cct: '18DPR0001A', directorCurp: CURP };
    expect(payloadProblem(EVENT_PAYLOADS, crear, '06')).toEqual({
      campo: 'cct',
      mensaje: 'La CCT 18DPR0001A es de otra entidad federativa («18»): las de este sistema empiezan con 06.',
    });
    expect(payloadProblem(EVENT_PAYLOADS, crear, '18')).toBeNull();
  });

  it('accepts the events the page builds', () => {
    expect(
      problem({
        type: 'REASIGNAR',
        cuentaId: '3f1c2a9e-0000-4000-8000-000000000001',
        newCurp: CURP,
        previousCurp: null,
      }),
    ).toBeNull();
    expect(problem({ type: 'CREAR_CUENTA', tipo: 'centro_trabajo', cct: '06DPR0001A', directorCurp: CURP })).toBeNull();
    expect(problem({ type: 'CREAR_CUENTA', tipo: 'servicio', curp: CURP, localPart: 'becas.primaria' })).toBeNull();
    expect(problem({ type: 'RECHAZAR', motivo: 'El oficio no corresponde' })).toBeNull();
    expect(problem({ type: 'TURNAR' })).toBeNull();
    expect(problem({ type: 'RECIBIR_OFICIO', at: '2026-12-03T10:00:00.000Z' })).toBeNull();
  });

  it('names the field and says what to do', () => {
    expect(problem({ type: 'REASIGNAR', cuentaId: 'c-1', newCurp: 'GOMC850315' })).toEqual({
      campo: 'newCurp',
      mensaje: expect.stringMatching(/^CURP del nuevo titular: .*CURP/),
    });
    expect(problem({ type: 'RECHAZAR' })).toEqual({ campo: 'motivo', mensaje: 'Escriba el motivo.' });
    expect(problem({ type: 'CANCELAR', motivo: '   ' })).toEqual({ campo: 'motivo', mensaje: 'Escriba el motivo.' });
    expect(problem({ type: 'CANCELAR', motivo: 'x'.repeat(401) })?.mensaje).toBe(
      'El motivo admite hasta 400 caracteres.',
    );
    expect(problem({ type: 'CREAR_CUENTA', curp: CURP, localPart: 'becas' })).toEqual({
      campo: 'tipo',
      mensaje: 'Elija el tipo de cuenta: Centro de trabajo o Servicio o Función.',
    });
    expect(problem({ type: 'CREAR_CUENTA', tipo: 'centro_trabajo', cct: '06dpr0001a', directorCurp: CURP })).toEqual({
      campo: 'cct',
      mensaje: 'La CCT debe escribirse en mayúsculas.',
    });
    expect(problem({ type: 'CREAR_CUENTA', tipo: 'funcion', curp: CURP, localPart: 'Becas Primaria' })?.campo).toBe(
      'localPart',
    );
    expect(problem({ type: 'RECIBIR_OFICIO', at: 'ayer' })).toEqual({
      campo: 'at',
      mensaje: 'La fecha y hora debe ser una fecha y hora ISO 8601.',
    });
    expect(problem({ type: 'PROVISION_ERROR', message: 'x', permanent: 'sí' })?.campo).toBe('permanent');
    expect(problem({ type: 'BLOQUEAR', cuentaId: 'a b' })?.campo).toBe('cuentaId');
  });

  it('refuses fields the event does not carry, the variant of another type and what the engine fills', () => {
    expect(problem({ type: 'TURNAR', motivo: 'x' })).toEqual({
      campo: 'motivo',
      mensaje: 'La acción «TURNAR» no lleva el dato «motivo»; quítelo.',
    });
    expect(
      problem({ type: 'CREAR_CUENTA', tipo: 'servicio', curp: CURP, localPart: 'becas', cct: '06DPR0001A' })?.campo,
    ).toBe('cct');
    expect(
      problem({
        type: 'CREAR_CUENTA',
        tipo: 'centro_trabajo',
        cct: '06DPR0001A',
        directorCurp: CURP,
        cuentaExistente: { cuentaId: 'x', address: 'y' },
      })?.campo,
    ).toBe('cuentaExistente');
    expect(problem(JSON.parse('{"type":"TURNAR","__proto__":{"x":1}}') as { type: string })?.campo).toBe('__proto__');
    expect(problem({ type: 'CREAR_CUENTA', tipo: 'toString', curp: CURP })?.campo).toBe('tipo');
  });

  it('throws a 422 DomainError with the field', () => {
    expect.assertions(3);
    try {
      assertPayload(EVENT_PAYLOADS, { type: 'RECHAZAR', motivo: '' });
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).status).toBe(422);
      expect((e as DomainError).details).toEqual({ campo: 'motivo' });
    }
  });

  it('knows which events only the system sends', () => {
    expect(isSystemEvent(EVENT_PAYLOADS, 'PROVISION_OK')).toBe(true);
    expect(isSystemEvent(EVENT_PAYLOADS, 'REASIGNAR')).toBe(false);
  });
});

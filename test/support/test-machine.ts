import { assign, setup } from 'xstate';
import type { CommandParams, StepMeta, TransitionMeta } from '../../machines/types';
import type { EngineProcedure } from '../../src/engine/procedure-registry';

const SUB = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SJ = 'Subjefatura de Sistemas' as const;

type Ev =
  | { type: 'TURNAR' }
  | { type: 'CREAR'; curp: string; password?: string }
  | { type: 'PROVISION_OK'; cuentaId: string }
  | { type: 'CANCELAR' };

/** A small procedure with the engine's contract (roles, tasks, a command, an output), version `v`. */
export function testMachine(v: 1 | 2) {
  const m = (meta: StepMeta): StepMeta => meta;
  const t = (meta: TransitionMeta): TransitionMeta => meta;
  return setup({
    types: {
      context: {} as { caseId: string; folio?: string; nivelClave?: string; curp?: string; cuentaId?: string },
      input: {} as { caseId: string; folio?: string; nivelClave?: string },
      events: {} as Ev,
    },
    actions: {
      provision: (_: unknown, _p: CommandParams['provision']) => undefined,
      renderAcuse: (_: unknown, _p: CommandParams['renderAcuse']) => undefined,
    },
    guards: { curpGiven: ({ event }) => event.type === 'CREAR' && event.curp.length === 18 },
  }).createMachine({
    id: 'prueba',
    initial: 'recibido',
    context: ({ input }) => ({ caseId: input.caseId, folio: input.folio, nivelClave: input.nivelClave }),
    states: {
      recibido: {
        entry: { type: 'renderAcuse', params: {} },
        meta: m({
          pasos: [{ no: '1', responsable: SUB, actividad: 'Recibe oficio.' }],
          task: { role: 'subdireccion', title: 'Turnar oficio', slaDays: 1 },
        }),
        on: {
          TURNAR: {
            target: v === 1 ? 'enSubjefatura' : 'revision',
            meta: t({ roles: ['subdireccion'], pasos: ['2'] }),
          },
        },
      },
      // version 2 renamed the Subjefatura's state
      [v === 1 ? 'enSubjefatura' : 'revision']: {
        meta: m({
          pasos: [{ no: '3', responsable: SJ, actividad: 'Crea la cuenta.' }],
          task: { role: 'subjefatura', title: 'Crear cuenta', slaDays: 2, priority: 'alta' },
        }),
        on: {
          CREAR: {
            guard: 'curpGiven',
            target: 'provisionando',
            actions: assign({ curp: ({ event }) => (event.type === 'CREAR' ? event.curp : undefined) }),
            meta: t({ roles: ['subjefatura'], pasos: ['4'] }),
          },
          CANCELAR: { target: 'cancelado', meta: t({ roles: ['subjefatura', 'subdireccion'] }) },
        },
      },
      provisionando: {
        entry: {
          type: 'provision',
          params: ({ context }) => ({ op: 'create' as const, tipo: 'personal' as const, curp: context.curp }),
        },
        meta: m({
          pasos: [{ no: '5', responsable: 'Servicio', actividad: 'Crea la cuenta.' }],
          awaitsEffect: 'provision',
        }),
        on: {
          PROVISION_OK: {
            target: 'hecho',
            actions: assign({ cuentaId: ({ event }) => (event.type === 'PROVISION_OK' ? event.cuentaId : undefined) }),
            meta: t({ roles: ['sistema'] }),
          },
        },
      },
      hecho: { type: 'final', output: { outcome: 'creada' } },
      cancelado: { type: 'final', output: { outcome: 'cancelada' } },
    },
  });
}

export function testProcedure(v: 1 | 2 = 1): EngineProcedure {
  return {
    id: 'prueba',
    version: v,
    title: 'Procedimiento de prueba',
    guideSection: '9.9',
    guideVersion: '01',
    machine: testMachine(v),
    startRoles: ['subdireccion'],
    searchFields: {
      folio: { paths: ['folio'], fixed: true },
      nivelClave: { paths: ['nivelClave'] },
      cct: { paths: ['cct'] },
      curp: { paths: ['curp'] },
      cuentaId: { paths: ['cuentaId'] },
    },
    eventPayloads: {
      CREAR: {
        fields: {
          curp: { kind: 'text', max: 18, label: 'la CURP' },
          password: { kind: 'text', max: 200, label: 'la contraseña', optional: true },
        },
      },
      PROVISION_OK: { sentBy: 'sistema', fields: { cuentaId: { kind: 'id', label: 'la cuenta' } } },
    },
    ...(v === 2 ? { migrateFrom: { version: 1, stateMap: { enSubjefatura: 'revision' } } } : {}),
  };
}

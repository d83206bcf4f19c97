/**
 * Delivery of the reply (5.2.1, 5.3.1, 5.3.2, 5.4, 5.5): the reply letter is drawn and signed (`renderReplyLetter`),
 * the Subjefatura sends it to the Subdirección, the Subdirección turns it to whoever sent the oficio (a Nivel or an
 * area), and the sender signs and stamps it as received: the acknowledgement is the `solicitante`'s, whom the engine
 * resolves per case, since an oficio of 5.3, 5.4 or 5.5 may come from a Nivel as well as from an area. In 5.2.1 the
 * Nivel then tells the school its address and that the link to set the password went to the director (correction 11:
 * nobody hands over a password), and the school starts using it. Each procedure passes its own step numbers and
 * responsables (the guide's names, whoever acts in the system).
 */
import { type CommandParams, type GuideStep, SOLICITANTE, type TransitionMeta } from '../types';
import { finalState } from './provisioning';
import { bySistema, type CaseContext, nos, procedureSetup, solicitudRechazada } from './setup';

type ReplyOutcome = CommandParams['renderReplyLetter']['outcome'];

export interface DeliveryOptions {
  /** The reply letter's outcome; a function of the case where it depends on it (5.2.1: the school already had one). */
  outcome: ReplyOutcome | ((context: CaseContext) => ReplyOutcome);
  /** Subjefatura: the reply letter is generated (and, where the guide says so in one step, sent). */
  genera: GuideStep[];
  /** Subjefatura: sends it to the Subdirección, when the guide makes that a step of its own. */
  envia: GuideStep[];
  /** Subdirección: receives the reply and sends it to the area. */
  subdireccion: GuideStep[];
  /** The requester's steps: receives the reply, "firma y sella de recibido". */
  area: { pasos: GuideStep[] };
  /** Who may have sent the oficio, for the Subdirección's task titles: 5.2.1 comes from a Nivel, the rest from either. */
  solicitante: 'nivel' | 'nivel o área';
  /**
   * 5.2.1: the Nivel informs the school, which starts using the account. `cuentaPrevia`: the final state when the
   * school already had its account (nothing was created): the Nivel's report ends the case, there is no first use.
   */
  escuela?: { entrega: GuideStep[]; uso: GuideStep[]; cuentaPrevia?: string };
  /** The final state. */
  next: string;
  /**
   * Version 2: where a rejected request ends (`Respuesta.rechazo`). The reply path is the same (letter, Subjefatura,
   * Subdirección, the sender's acknowledgement) with the rejection letter, and the acknowledgement ends the case.
   */
  rechazo?: string;
}

/**
 * How a version of an oficio procedure answers a request the Subjefatura cannot serve (no such account, wrong data):
 * where its CANCELAR { motivo } goes, and the states that path adds.
 * - Version 1: the case ends `cancelada`, with no letter (and the oficio is cancelled with it).
 * - Version 2: every oficio gets a signed reply. CANCELAR goes to the reply letter (`oficioRespuesta`), drawn from
 *   templates/letters/rechazada.md with the motivo, delivered and acknowledged like any other reply; the case ends
 *   `rechazada` (the oficio was answered, not withdrawn). The Subdirección's CANCELAR before turning the oficio (a
 *   registration made in error) still ends it `cancelada`: the Subjefatura never had it to answer.
 */
export interface Respuesta {
  /** Target of the Subjefatura's CANCELAR (work states and incidents). */
  cancel: string;
  /** `DeliveryOptions.rechazo`. */
  rechazo?: string;
  /** States the path adds to the machine. */
  states: Record<string, ReturnType<typeof finalState>>;
}

export const SIN_RESPUESTA_AL_RECHAZO: Respuesta = { cancel: 'cancelada', states: {} };
export const RESPUESTA_AL_RECHAZO: Respuesta = {
  cancel: 'oficioRespuesta',
  rechazo: 'rechazada',
  states: { rechazada: finalState('rechazada') },
};

const entregada = (pasos: GuideStep[]) => ({
  roles: ['nivel' as const],
  pasos: nos(pasos),
  label: 'Información entregada a la escuela',
});

// The Subdirección may register a paper acknowledgement on behalf of a sender without an account.
const acuse = (pasos: GuideStep[]): TransitionMeta => ({
  roles: [SOLICITANTE, 'subdireccion'],
  pasos: nos(pasos),
  label: 'Firmar y sellar de recibido',
});

/** States `oficioRespuesta` → `envioRespuesta` → `recepcionRespuesta` → `acuseRespuesta` (→ `entregaEscuela` → `inicioUso`). */
export function deliveryStates(o: DeliveryOptions) {
  const afterAcuse = o.escuela ? 'entregaEscuela' : o.next;
  const alNivel = o.solicitante === 'nivel';
  return {
    oficioRespuesta: procedureSetup.createStateConfig({
      meta: { pasos: o.genera, awaitsEffect: 'renderReplyLetter' },
      entry: [
        { type: 'contarIntento', params: { command: 'renderReplyLetter' } },
        {
          type: 'renderReplyLetter',
          params: ({ context }) => ({
            outcome:
              o.rechazo && solicitudRechazada(context)
                ? 'rechazada'
                : typeof o.outcome === 'function'
                  ? o.outcome(context)
                  : o.outcome,
          }),
        },
      ],
      on: {
        LETTER_READY: {
          target: 'envioRespuesta',
          actions: 'registrarOficioRespuesta',
          meta: bySistema('Oficio de respuesta firmado', o.genera),
        },
        LETTER_ERROR: {
          target: 'incidente',
          actions: { type: 'registrarIncidente', params: { command: 'renderReplyLetter' } },
          meta: bySistema('No se pudo generar el oficio de respuesta'),
        },
      },
    }),
    envioRespuesta: procedureSetup.createStateConfig({
      meta: {
        pasos: o.envia,
        task: {
          role: 'subjefatura',
          title: 'Revisar y enviar el oficio de respuesta a la Subdirección',
          slaDays: 1,
        },
      },
      on: {
        ENVIAR_RESPUESTA: {
          target: 'recepcionRespuesta',
          meta: {
            roles: ['subjefatura'],
            pasos: nos([...o.genera, ...o.envia]),
            label: 'Enviar a la Subdirección',
          },
        },
      },
    }),
    recepcionRespuesta: procedureSetup.createStateConfig({
      meta: {
        pasos: o.subdireccion,
        task: {
          role: 'subdireccion',
          title: alNivel
            ? 'Canalizar el oficio de respuesta al nivel'
            : 'Enviar el oficio de respuesta al área o nivel solicitante',
          slaDays: 1,
        },
      },
      on: {
        TURNAR_RESPUESTA: {
          target: 'acuseRespuesta',
          meta: {
            roles: ['subdireccion'],
            pasos: nos(o.subdireccion),
            label: alNivel ? 'Canalizar al nivel' : 'Enviar al área o nivel solicitante',
          },
        },
      },
    }),
    acuseRespuesta: procedureSetup.createStateConfig({
      meta: {
        pasos: o.area.pasos,
        task: { role: SOLICITANTE, title: 'Recibir el oficio de respuesta: firmar y sellar de recibido', slaDays: 3 },
      },
      on: {
        ACUSAR_RECIBO: [
          ...(o.rechazo
            ? [{ guard: 'solicitudRechazada' as const, target: o.rechazo, meta: acuse(o.area.pasos) }]
            : []),
          { target: afterAcuse, meta: acuse(o.area.pasos) },
        ],
      },
    }),
    ...(o.escuela
      ? {
          entregaEscuela: procedureSetup.createStateConfig({
            meta: {
              pasos: o.escuela.entrega,
              task: { role: 'nivel', title: 'Informar al centro de trabajo la dirección de su cuenta', slaDays: 3 },
            },
            on: {
              ENTREGAR_CREDENCIALES: [
                ...(o.escuela.cuentaPrevia
                  ? [
                      {
                        guard: 'cuentaPrevia' as const,
                        target: o.escuela.cuentaPrevia,
                        meta: entregada(o.escuela.entrega),
                      },
                    ]
                  : []),
                { target: 'inicioUso', meta: entregada(o.escuela.entrega) },
              ],
            },
          }),
          inicioUso: procedureSetup.createStateConfig({
            meta: {
              pasos: o.escuela.uso,
              task: {
                role: 'centro_trabajo',
                title: 'Recibir la información e iniciar el uso de la cuenta',
                slaDays: 5,
              },
            },
            on: {
              INICIAR_USO: {
                target: o.next,
                // `sistema` when the directory reports the account's first sign-in.
                meta: {
                  roles: ['centro_trabajo', 'sistema'],
                  pasos: nos(o.escuela.uso),
                  label: 'Iniciar el uso de la cuenta',
                },
              },
            },
          }),
        }
      : {}),
  };
}

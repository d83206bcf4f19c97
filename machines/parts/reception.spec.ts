/**
 * The shared reception of the five oficio procedures: the Subdirección may cancel the oficio while it is still in its
 * hands (recepcion, turno); once turned, only the Subjefatura cancels, from its own work states.
 */
import { PROCEDURES } from '../index';
import { drive, ev, RECEPCION, rolesOf, taskOf } from '../../test/support/machine-drive';

const OFICIO_PROCEDURES = PROCEDURES.filter((p) => p.machine.root.states.recepcion !== undefined);

describe('reception: cancelling an oficio', () => {
  it('is part of every oficio procedure (5.2.1, 5.3.1, 5.3.2, 5.4, 5.5)', () => {
    expect(OFICIO_PROCEDURES.map((p) => `${p.guideSection}@${p.version}`).sort()).toEqual(
      // 5.4 and 5.5 version 3 (issue 14) keep the oficio's reception and add a start by reconciliation.
      [...['5.2.1', '5.3.1', '5.3.2', '5.4', '5.5'].flatMap((s) => [`${s}@1`, `${s}@2`]), '5.4@3', '5.5@3'].sort(),
    );
  });

  describe.each(OFICIO_PROCEDURES.map((def) => [`${def.id}@${def.version}`, def.machine, def.version] as const))(
    '%s',
    (_id, machine, version) => {
      it.each([
        ['recepcion', [ev.solicitar]],
        ['turno', [ev.solicitar, ev.recibirOficio]],
      ] as const)('lets only the Subdirección cancel in «%s», keeping the motivo', (state, before) => {
        const waiting = drive(machine, [...before]).snapshot;
        expect(waiting.value).toBe(state);
        expect(rolesOf(machine, waiting, ev.cancelar)).toEqual(['subdireccion']);
        expect(machine.getTransitionData(waiting, ev.cancelar).map((t) => t.meta?.label)).toEqual([
          'Cancelar el oficio',
        ]);
        const run = drive(machine, [...before, ev.cancelar]);
        expect(run.snapshot.status).toBe('done');
        expect(run.snapshot.value).toBe('cancelada');
        expect(run.snapshot.output).toEqual({
          outcome: 'cancelada',
          cuentaId: null,
          address: null,
          letterId: null,
          motivo: 'El oficio no corresponde',
        });
        // Nothing is declared by the cancellation itself; the acuse exists only if the oficio was received.
        expect(run.steps.at(-1)?.commands).toEqual([]);
        expect(run.commands.map((c) => c.type)).toEqual(state === 'turno' ? ['renderAcuse'] : []);
        expect(taskOf(run.snapshot)).toBeNull();
      });

      it('does not let the Subdirección cancel once the oficio is turned; the Subjefatura cancels after receiving it', () => {
        const turned = drive(machine, [ev.solicitar, ev.recibirOficio, ev.turnar]).snapshot;
        expect(turned.value).toBe('recepcionSubjefatura');
        expect(turned.can(ev.cancelar)).toBe(false);
        const working = drive(machine, RECEPCION).snapshot;
        expect(rolesOf(machine, working, ev.cancelar)).toEqual(['subjefatura']);
        const cancelled = drive(machine, [...RECEPCION, ev.cancelar]);
        if (version === 1) expect(cancelled.snapshot.output?.outcome).toBe('cancelada');
        // Version 2: the Subjefatura's cancellation is answered with the signed rejection letter.
        else
          expect(cancelled.steps.at(-1)?.commands.at(-1)).toEqual({
            type: 'renderReplyLetter',
            params: { outcome: 'rechazada' },
          });
      });
    },
  );
});

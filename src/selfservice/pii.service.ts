import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireNotBlocked } from '../catalog/account-rules';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import { EngineService } from '../engine/engine.service';
import { type CaseRecord, CaseRecords } from '../engine/case-records';
import { formatFechaHora } from '../mail/mail-templates';
import { HoldersService } from '../provisioning/holders.service';
import { ChosenPasswords } from '../provisioning/chosen-passwords';
import { checkPassword } from '../security/password-policy';

const PROCEDURE = 'centro-trabajo-restablecer';
/** The state where a request waits for the Subjefatura (5.2.3 pasos 1-6): its task's due date is what paso 10 tells. */
const ANALYSIS_STATE = `${PROCEDURE}.analisis`;

export interface ResetRequestAnswer {
  tramite: string;
  atenderAMasTardar: string;
  mensaje: string;
  /** True when the school already had a request open: this one was not registered, the open one is the answer. */
  existente: boolean;
}

/** Where a school's request stands, as the PII shows it to the school. */
export type ResetRequestEstado = 'en_revision' | 'en_proceso' | 'restablecida' | 'rechazada' | 'cancelada';

export interface ResetRequestStatus {
  tramite: string;
  cct: string;
  estado: ResetRequestEstado;
  /** The same, in a sentence the PII can show as it is. */
  mensaje: string;
  /** The Subjefatura's reason, when the request was rejected or cancelled. */
  motivo: string | null;
  solicitada: string;
  atenderAMasTardar: string | null;
  concluida: string | null;
}

const MENSAJE: Record<ResetRequestEstado, string> = {
  en_revision: 'La Subjefatura de Sistemas está revisando la solicitud.',
  en_proceso: 'La solicitud fue aprobada y la contraseña se está restableciendo.',
  restablecida: 'La contraseña se restableció con la que se indicó en la solicitud.',
  rechazada: 'La solicitud no procede; el motivo se envió al correo institucional del centro de trabajo.',
  cancelada: 'La solicitud se canceló sin restablecer la contraseña.',
};

/** The states of 5.2.3 where the Subjefatura has not decided yet (the rest of an open case is the reset itself). */
const REVIEW_STATES = new Set(['analisis', 'confirmacion']);

/**
 * Guía 5.2.2: a school asks, through the PII (or the portal), to reset its account to a password of its choice.
 * The password is sealed with SECRET_KEY before anything else is stored, never enters the case, and is wiped once
 * applied (5.2.3) or when the request ends. A school has at most one request open: another request while one is
 * (even one sent at the same instant) is answered with the open one, and its password is not kept.
 */
@Injectable()
export class PiiService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    private readonly holders: HoldersService,
    private readonly cases: CaseRecords,
    private readonly catalog: CatalogRecords,
    private readonly passwords: ChosenPasswords,
  ) {}

  async requestReset(cct: string, password: string, canal: 'pii' | 'portal'): Promise<ResetRequestAnswer> {
    const holder = await this.holders.centro(cct);
    const cuenta = await this.catalog.cuentaDe({ tipo: 'centro_trabajo', cct });
    if (!cuenta) {
      throw new DomainError(
        'SIN_CUENTA_CT',
        `El centro de trabajo ${cct} no tiene correo institucional; solicítelo a su Nivel mediante oficio (Guía 5.2.1).`,
        422,
      );
    }
    // A blocked account keeps its password: a request for it is refused at once, and nothing is stored.
    requireNotBlocked(cuenta);
    const open = await this.cases.openForCct(PROCEDURE, cct);
    if (open) return this.answer(open, true);
    const reasons = checkPassword(password, { localPart: cuenta.localPart, names: [holder.centro.nombre, cct] });
    if (reasons.length)
      throw new DomainError('CONTRASENA_DEBIL', `La contraseña no es aceptable: ${reasons.join(' ')}`, 400, {
        motivos: reasons,
      });
    const caseId = randomUUID();
    // One transaction: the school's row locked, the open request looked for again, then the sealed password and the
    // case, together. Two requests at once queue on the lock (SQLite: one transaction at a time), so the second finds
    // the first one's case.
    const opened = await inTransaction(this.ds, async (em) => {
      await this.catalog.lockCentro(em, cct);
      const raced = await this.cases.openForCct(PROCEDURE, cct, em);
      if (raced) return raced;
      await this.passwords.keep(em, caseId, password);
      await this.engine.start(
        PROCEDURE,
        { id: `cct:${cct}`, role: 'centro_trabajo', cct },
        { cct, canal },
        { caseId, em },
      );
      return caseId;
    });
    return this.answer(opened, opened !== caseId);
  }

  /**
   * Where a request of this school stands (GET for the PII). A request of another school, or a case that is not a
   * reset request, does not exist for it: the PII authenticates as itself, so the school is the one in the path.
   */
  async status(cct: string, tramite: string): Promise<ResetRequestStatus> {
    const caso = /^[0-9a-f-]{36}$/i.test(tramite) ? await this.cases.find(tramite) : null;
    if (!caso || caso.procedureId !== PROCEDURE || caso.cct !== cct) {
      throw new DomainError(
        'SOLICITUD_NO_ENCONTRADA',
        `No existe la solicitud ${tramite} de restablecimiento de contraseña del centro de trabajo ${cct}.`,
        404,
      );
    }
    return this.statusOf(caso);
  }

  /** The school's requests, newest first (at most `limit`). */
  async statuses(cct: string, limit = 10): Promise<ResetRequestStatus[]> {
    const rows = await this.cases.ofCct(PROCEDURE, cct, limit);
    return Promise.all(rows.map((r) => this.statusOf(r)));
  }

  private async statusOf(caso: CaseRecord): Promise<ResetRequestStatus> {
    const state = caso.state.split('.').at(-1) ?? caso.state;
    const estado: ResetRequestEstado =
      caso.status === 'concluido'
        ? caso.outcome === 'restablecida' || caso.outcome === 'rechazada'
          ? caso.outcome
          : 'cancelada'
        : caso.status === 'activo' && REVIEW_STATES.has(state)
          ? 'en_revision'
          : 'en_proceso';
    const motivo = typeof caso.context.motivo === 'string' ? caso.context.motivo : null;
    const due = await this.cases.firstTaskDue(caso.id, ANALYSIS_STATE);
    return {
      tramite: caso.id,
      cct: caso.cct ?? '',
      estado,
      mensaje: MENSAJE[estado],
      motivo: estado === 'rechazada' || estado === 'cancelada' ? motivo : null,
      solicitada: caso.createdAt.toISOString(),
      atenderAMasTardar: due?.toISOString() ?? null,
      concluida: caso.closedAt ? caso.closedAt.toISOString() : null,
    };
  }

  /**
   * Guía 5.2.2 paso 10: "Informa el tiempo de respuesta para atender su solicitud" — the due date of the request's
   * first analysis task, the same date however many times the school asks and wherever the case is now.
   */
  private async answer(caseId: string, existente: boolean): Promise<ResetRequestAnswer> {
    const due = (await this.cases.firstTaskDue(caseId, ANALYSIS_STATE)) ?? new Date();
    const cuando = `La Subjefatura de Sistemas la atenderá a más tardar el ${formatFechaHora(due)}; recibirá la confirmación en el correo del director.`;
    return {
      tramite: caseId,
      atenderAMasTardar: due.toISOString(),
      mensaje: existente
        ? `Ya hay una solicitud de restablecimiento en curso para este centro de trabajo (trámite ${caseId}); no se registró una nueva ni se guardó la contraseña enviada. ${cuando}`
        : `Su solicitud quedó registrada. ${cuando}`,
      existente,
    };
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireNotBlocked } from '../catalog/account-rules';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import { EngineService } from '../engine/engine.service';
import { CaseRecords } from '../engine/case-records';
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

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { requireNotBlocked } from '../catalog/account-rules';
import { CentroTrabajo } from '../catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../catalog/entities/cuenta.entity';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inTransaction } from '../database/transaction';
import { EngineService } from '../engine/engine.service';
import { ProcedureCase } from '../engine/entities/case.entity';
import { Task } from '../engine/entities/task.entity';
import { formatFechaHora } from '../mail/mail-templates';
import { HoldersService } from '../provisioning/holders.service';
import { ChosenPassword } from '../provisioning/entities/chosen-password.entity';
import { checkPassword } from '../security/password-policy';
import { SecretBox } from '../security/secret-box';

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
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly engine: EngineService,
    private readonly holders: HoldersService,
  ) {
    this.box = new SecretBox(config.secretKey);
  }

  async requestReset(cct: string, password: string, canal: 'pii' | 'portal'): Promise<ResetRequestAnswer> {
    const holder = await this.holders.centro(cct);
    const cuenta = await this.ds.getRepository(Cuenta).findOne({ where: { tipo: 'centro_trabajo', titularCct: cct } });
    if (!cuenta) {
      throw new DomainError('SIN_CUENTA_CT', `El centro de trabajo ${cct} no tiene correo institucional; solicítelo a su Nivel mediante oficio (Guía 5.2.1).`, 422);
    }
    // A blocked account keeps its password: a request for it is refused at once, and nothing is stored.
    requireNotBlocked(cuenta);
    const open = await this.openRequest(this.ds.manager, cct);
    if (open) return this.answer(open, true);
    const reasons = checkPassword(password, { localPart: cuenta.localPart, names: [holder.centro.nombre, cct] });
    if (reasons.length) throw new DomainError('CONTRASENA_DEBIL', `La contraseña no es aceptable: ${reasons.join(' ')}`, 400, { motivos: reasons });
    const caseId = randomUUID();
    const sealed = this.box.seal(password, `chosen-password:${caseId}`);
    // One transaction: the school's row locked, the open request looked for again, then the sealed password and the
    // case, together. Two requests at once queue on the lock (SQLite: one transaction at a time), so the second finds
    // the first one's case.
    const opened = await inTransaction(this.ds, async (em) => {
      const lock = em.createQueryBuilder(CentroTrabajo, 'c').where('c.cct = :cct', { cct });
      if (this.ds.options.type !== 'better-sqlite3') lock.setLock('pessimistic_write');
      await lock.getOne();
      const raced = await this.openRequest(em, cct);
      if (raced) return raced;
      await em.insert(ChosenPassword, { caseId, sealed, createdAt: new Date() });
      await this.engine.start(PROCEDURE, { id: `cct:${cct}`, role: 'centro_trabajo', cct }, { cct, canal }, { caseId, em });
      return caseId;
    });
    return this.answer(opened, opened !== caseId);
  }

  /** The school's request still being served (active or in an incident), if any. */
  private async openRequest(em: EntityManager, cct: string): Promise<string | null> {
    const row = await em.findOne(ProcedureCase, { select: { id: true }, where: { procedureId: PROCEDURE, cct, status: In(['activo', 'incidente']) } });
    return row?.id ?? null;
  }

  /**
   * Guía 5.2.2 paso 10: "Informa el tiempo de respuesta para atender su solicitud" — the due date of the request's
   * first analysis task, the same date however many times the school asks and wherever the case is now.
   */
  private async answer(caseId: string, existente: boolean): Promise<ResetRequestAnswer> {
    const task = await this.ds.getRepository(Task).findOne({ where: { caseId, stateId: ANALYSIS_STATE }, order: { createdAt: 'ASC', dueAt: 'ASC' } });
    const due = task?.dueAt ?? new Date();
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

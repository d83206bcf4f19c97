import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireNotBlocked } from '../catalog/account-rules';
import { Cuenta } from '../catalog/entities/cuenta.entity';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { EngineService } from '../engine/engine.service';
import { Task } from '../engine/entities/task.entity';
import { formatFechaHora } from '../mail/mail-templates';
import { HoldersService } from '../provisioning/holders.service';
import { ChosenPassword } from '../provisioning/entities/chosen-password.entity';
import { checkPassword } from '../security/password-policy';
import { SecretBox } from '../security/secret-box';

/**
 * Guía 5.2.2: a school asks, through the PII (or the portal), to reset its account to a password of its choice.
 * The password is sealed with SECRET_KEY before anything else is stored, never enters the case, and is wiped once
 * applied (5.2.3) or when the request ends.
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

  async requestReset(cct: string, password: string, canal: 'pii' | 'portal'): Promise<{ tramite: string; atenderAMasTardar: string; mensaje: string }> {
    const holder = await this.holders.centro(cct);
    const cuenta = await this.ds.getRepository(Cuenta).findOne({ where: { tipo: 'centro_trabajo', titularCct: cct } });
    if (!cuenta) {
      throw new DomainError('SIN_CUENTA_CT', `El centro de trabajo ${cct} no tiene correo institucional; solicítelo a su Nivel mediante oficio (Guía 5.2.1).`, 422);
    }
    // A blocked account keeps its password: a request for it is refused at once, and nothing is stored.
    requireNotBlocked(cuenta);
    const reasons = checkPassword(password, { localPart: cuenta.localPart, names: [holder.centro.nombre, cct] });
    if (reasons.length) throw new DomainError('CONTRASENA_DEBIL', `La contraseña no es aceptable: ${reasons.join(' ')}`, 400, { motivos: reasons });
    const caseId = randomUUID();
    const repo = this.ds.getRepository(ChosenPassword);
    // Sealed first; if the case cannot be opened, the sealed password goes with it.
    await repo.insert({ caseId, sealed: this.box.seal(password, `chosen-password:${caseId}`), createdAt: new Date() });
    try {
      await this.engine.start('centro-trabajo-restablecer', { id: `cct:${cct}`, role: 'centro_trabajo', cct }, { cct, canal }, { caseId });
    } catch (e) {
      await repo.delete({ caseId });
      throw e;
    }
    // Guía 5.2.2 paso 10: "Informa el tiempo de respuesta para atender su solicitud".
    const task = await this.ds.getRepository(Task).findOne({ where: { caseId, status: 'abierta' } });
    const due = task?.dueAt ?? new Date();
    return {
      tramite: caseId,
      atenderAMasTardar: due.toISOString(),
      mensaje: `Su solicitud quedó registrada. La Subjefatura de Sistemas la atenderá a más tardar el ${formatFechaHora(due)}; recibirá la confirmación en el correo del director.`,
    };
  }
}

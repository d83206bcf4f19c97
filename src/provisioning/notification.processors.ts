import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CommandParams } from '../../machines/types';
import { CatalogAccounts } from '../catalog/catalog-accounts';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { type CommandProcessor, type EffectCommand, EffectProcessor } from '../engine/effects/effect-processor';
import { deliverMail, mailFailure } from '../engine/effects/mail-effect';
import type { EngineEvent } from '../engine/engine.service';
import { CaseRecords } from '../engine/case-records';
import {
  blockNoticeMail,
  chosenPasswordAppliedMail,
  newAccountMail,
  recipientOf,
  resetNoticeMail,
  previousHolderMail,
  reassignmentMails,
  resetLinkMail,
  temporaryPasswordMail,
} from '../mail/account-mails';
import { MailTemplates } from '../mail/mail-templates';
import { MAILER, type Mailer } from '../mail/mailer';
import { generateTemporaryPassword } from '../security/password-policy';
import { ActivationService } from './activation.service';
import { HoldersService } from './holders.service';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from './providers/directory-provider';
import { asEffectError } from './provision.processor';

/**
 * Guía "Servicio … envía un correo electrónico con las credenciales de acceso": by default a single-use link to set
 * the password (nothing secret in the mail); with CREDENTIAL_DELIVERY=temporal, a temporary password set here, at
 * the directory, with a forced change at the next sign-in — it exists only in this function and in the message.
 */
@Injectable()
@EffectProcessor()
export class SendCredentialsProcessor implements CommandProcessor {
  readonly type = 'sendCredentials' as const;
  readonly queue = 'notifications' as const;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DIRECTORY_PROVIDER) private readonly directory: DirectoryProvider,
    private readonly templates: MailTemplates,
    private readonly holders: HoldersService,
    private readonly activation: ActivationService,
    private readonly accounts: CatalogAccounts,
    private readonly cases: CaseRecords,
  ) {}

  async handle(cmd: EffectCommand, payload: unknown): Promise<EngineEvent> {
    return this.send(cmd, payload as CommandParams['sendCredentials']).catch((e: unknown) => {
      throw asEffectError(e);
    });
  }

  private async send(cmd: EffectCommand, p: CommandParams['sendCredentials']): Promise<EngineEvent> {
    const cuenta = await this.accounts.get(p.cuentaId);
    const holder = await this.holders.ofCuenta(cuenta);
    const caso = await this.cases.find(cmd.caseId);
    if (this.config.credentialDelivery === 'temporal' && this.directory.supportsForcedChange) {
      // Each try (`attempts` counts failed ones) mails its own password under its own key (`…:try`). If this try's mail,
      // or an earlier one's, was accepted and its execution died before reporting (a crash re-delivers the same try),
      // that password is the one the holder has: neither change it nor mail again.
      const earlier = Array.from({ length: cmd.attempts + 1 }, (_, i) => `${cmd.idempotencyKey}:${i}`);
      if (await this.mailer.alreadySent(earlier).catch(mailFailure)) return { type: 'CREDENTIALS_SENT' };
      const temporal = generateTemporaryPassword({
        localPart: cuenta.localPart,
        curp: holder.directory.curp ?? null,
        names: [holder.directory.displayName],
      });
      await this.directory.setPassword(cuenta.direccion, temporal, { changeAtNextLogin: true });
      const motivo = caso?.procedureId.endsWith('reasignar')
        ? 'reasignacion'
        : caso?.procedureId.endsWith('restablecer')
          ? 'restablecimiento'
          : 'alta';
      // A new password each attempt, so the key changes with it (the outbox keeps one file per key).
      await deliverMail(
        this.mailer,
        temporaryPasswordMail(this.templates, {
          holder: holder.mail,
          correo: cuenta.direccion,
          motivo,
          contrasenaTemporal: temporal,
          idempotencyKey: `${cmd.idempotencyKey}:${cmd.attempts}`,
        }),
      );
      return { type: 'CREDENTIALS_SENT' };
    }
    if (caso?.procedureId === 'centro-trabajo-restablecer' && holder.mail.tipo === 'centro_trabajo') {
      // Guía 5.2.3 paso 9: the school's own password was applied; the mail confirms it without repeating it.
      await deliverMail(
        this.mailer,
        chosenPasswordAppliedMail(this.templates, {
          holder: holder.mail,
          correo: cuenta.direccion,
          fecha: new Date(),
          idempotencyKey: cmd.idempotencyKey,
        }),
      );
      return { type: 'CREDENTIALS_SENT' };
    }
    const { url, expiresAt } = await this.activation.issue(cuenta.id, cmd.caseId, cmd.id);
    const input = {
      holder: holder.mail,
      correo: cuenta.direccion,
      enlace: url,
      venceEl: expiresAt,
      idempotencyKey: cmd.idempotencyKey,
    };
    if (caso?.procedureId === 'cuenta-reasignar') {
      for (const m of reassignmentMails(this.templates, {
        ...input,
        tipo: cuenta.tipo,
        // A case opened by reconciliation (5.4 version 3) has no oficio: the mail cites none.
        folio: caso.folio || null,
        fecha: new Date(),
      })) {
        // The new holder's mail (with or without an oficio to cite); the previous holder's is notifyHolder's job.
        if (m.template.startsWith('reasignacion-nuevo-titular')) await deliverMail(this.mailer, m);
      }
    } else if (caso?.procedureId.endsWith('restablecer')) {
      await deliverMail(this.mailer, resetLinkMail(this.templates, input));
      await deliverMail(
        this.mailer,
        resetNoticeMail(this.templates, {
          nombre: recipientOf(holder.mail).nombre,
          correo: cuenta.direccion,
          fecha: new Date(),
          idempotencyKey: `${cmd.idempotencyKey}:aviso`,
        }),
      );
    } else {
      await deliverMail(this.mailer, newAccountMail(this.templates, input));
    }
    return { type: 'CREDENTIALS_SENT' };
  }

  failureEvent(_cmd: EffectCommand, _payload: unknown, message: string): EngineEvent {
    return { type: 'CREDENTIALS_ERROR', message, permanent: true };
  }
}

/** After a reset, reassignment or block the holder(s) are told (5.4: the previous holder learns their access ended). */
@Injectable()
@EffectProcessor()
export class NotifyHolderProcessor implements CommandProcessor {
  readonly type = 'notifyHolder' as const;
  readonly queue = 'notifications' as const;
  private readonly log = new Logger('Avisos');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
    private readonly holders: HoldersService,
    private readonly accounts: CatalogAccounts,
    private readonly cases: CaseRecords,
  ) {}

  async handle(cmd: EffectCommand, payload: unknown): Promise<null> {
    const p = payload as CommandParams['notifyHolder'];
    const cuenta = await this.accounts.get(p.cuentaId);
    const caso = await this.cases.find(cmd.caseId);
    // A case opened by reconciliation (5.4 and 5.5 version 3) has no oficio: the notice cites none.
    const folio = caso?.folio || null;
    if (p.reason === 'block') {
      const holder = await this.holders.ofCuenta(cuenta);
      const mail = blockNoticeMail(this.templates, {
        holder: holder.mail,
        correo: cuenta.direccion,
        folio,
        fecha: new Date(),
        idempotencyKey: cmd.idempotencyKey,
      });
      if (mail) await deliverMail(this.mailer, { ...mail, to: [...mail.to, cuenta.direccion] });
      else this.log.warn({ cuentaId: cuenta.id }, 'Sin correo alterno para avisar del bloqueo');
      return null;
    }
    if (p.reason === 'reassign' && p.previousCurp) {
      const previous = await this.holders
        .worker(p.previousCurp, cuenta.tipo === 'centro_trabajo' ? 'personal' : cuenta.tipo)
        .catch(() => null);
      // Only the notice: the new holder's link mail is sendCredentials' job (and needs a link this job has not got).
      const mail = previous
        ? previousHolderMail(this.templates, {
            previousHolder: previous.mail,
            correo: cuenta.direccion,
            folio,
            fecha: new Date(),
            idempotencyKey: cmd.idempotencyKey,
          })
        : undefined;
      if (mail) await deliverMail(this.mailer, mail);
      else
        this.log.warn({ cuentaId: cuenta.id }, 'Sin correo alterno para avisar al titular anterior de la reasignación');
    }
    // 'reset': the link mail of sendCredentials already tells the holder; nothing more to send.
    return null;
  }
}

/**
 * Guía 5.2.3 paso 4 (version 2 of 5.2.2 / 5.2.3): the Subjefatura rejected a school's reset request; the school is
 * told at its institutional address, with the motivo and the date it asked. Fire-and-forget, like notifyHolder.
 */
@Injectable()
@EffectProcessor()
export class NotifySchoolProcessor implements CommandProcessor {
  readonly type = 'notifySchool' as const;
  readonly queue = 'notifications' as const;

  constructor(
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
    private readonly records: CatalogRecords,
    private readonly cases: CaseRecords,
  ) {}

  async handle(cmd: EffectCommand): Promise<null> {
    const caso = await this.cases.find(cmd.caseId);
    const cct = caso?.cct;
    if (!caso || !cct) throw new DomainError('TRAMITE_SIN_CCT', 'El trámite no indica el centro de trabajo.', 422);
    const cuenta = await this.records.cuentaDe({ tipo: 'centro_trabajo', cct });
    if (!cuenta)
      throw new DomainError('SIN_CUENTA_CT', `El centro de trabajo ${cct} no tiene correo institucional.`, 422);
    const centro = await this.records.centro(cct);
    const motivo = typeof caso.context.motivo === 'string' ? caso.context.motivo : '';
    const rendered = this.templates.render('restablecimiento-rechazado', {
      centroTrabajo: centro?.nombre ?? cct,
      cct,
      correo: cuenta.direccion,
      fecha: caso.createdAt,
      motivo,
    });
    await deliverMail(this.mailer, { to: [cuenta.direccion], ...rendered, idempotencyKey: cmd.idempotencyKey });
    return null;
  }
}

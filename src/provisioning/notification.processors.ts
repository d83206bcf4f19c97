import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { CommandParams } from '../../machines/types';
import { StaffUser } from '../auth/staff-user.entity';
import { CatalogAccounts } from '../catalog/catalog-accounts';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { EngineEvent } from '../engine/engine.service';
import { CaseRecords } from '../engine/case-records';
import type { OutboxCommand } from '../engine/entities/outbox.entity';
import { Task } from '../engine/entities/task.entity';
import { blockNoticeMail, chosenPasswordAppliedMail, newAccountMail, recipientOf, resetNoticeMail, previousHolderMail, reassignmentMails, resetLinkMail, temporaryPasswordMail } from '../mail/account-mails';
import { formatFechaHora, MailTemplates } from '../mail/mail-templates';
import { MailDeliveryError, MAILER, type Mailer } from '../mail/mailer';
import type { CommandProcessor } from '../queue/queue.types';
import { TransientError } from '../queue/queue.types';
import { escapeHtml } from '../render/handlebars';
import { generateTemporaryPassword } from '../security/password-policy';
import { ActivationService } from './activation.service';
import { HoldersService } from './holders.service';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from './providers/directory-provider';

/**
 * SMTP 4yz and network failures are retried; 5yz are not. A message another process is sending is retried once its
 * claim may have ended; one already sent returns as done (the mailer sends each Message-ID at most once).
 */
async function deliver(mailer: Mailer, mail: Parameters<Mailer['send']>[0]): Promise<void> {
  await mailer.send(mail).catch(mailFailure);
}

function mailFailure(e: unknown): never {
  if (e instanceof MailDeliveryError && !e.permanent) throw new TransientError(`No se pudo enviar el correo: ${e.message}`, e.retryAfterMs);
  if (e instanceof MailDeliveryError) throw new DomainError('CORREO_RECHAZADO', `El servidor de correo rechazó el mensaje: ${e.message}`, 422);
  throw e;
}

/**
 * Guía "Servicio … envía un correo electrónico con las credenciales de acceso": by default a single-use link to set
 * the password (nothing secret in the mail); with CREDENTIAL_DELIVERY=temporal, a temporary password set here, at
 * the directory, with a forced change at the next sign-in — it exists only in this function and in the message.
 */
@Injectable()
export class SendCredentialsProcessor implements CommandProcessor {
  readonly type = 'sendCredentials' as const;

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

  async handle(cmd: OutboxCommand, payload: unknown): Promise<EngineEvent> {
    const p = payload as CommandParams['sendCredentials'];
    const cuenta = await this.accounts.get(p.cuentaId);
    const holder = await this.holders.ofCuenta(cuenta);
    const caso = await this.cases.find(cmd.caseId);
    if (this.config.credentialDelivery === 'temporal' && this.directory.supportsForcedChange) {
      // Each try (`attempts` counts failed ones) mails its own password under its own key (`…:try`). If this try's mail,
      // or an earlier one's, was accepted and its execution died before reporting (a crash re-delivers the same try),
      // that password is the one the holder has: neither change it nor mail again.
      const earlier = Array.from({ length: cmd.attempts + 1 }, (_, i) => `${cmd.idempotencyKey}:${i}`);
      if (await this.mailer.alreadySent(earlier).catch(mailFailure)) return { type: 'CREDENTIALS_SENT' };
      const temporal = generateTemporaryPassword({ localPart: cuenta.localPart, curp: holder.directory.curp ?? null, names: [holder.directory.displayName] });
      await this.directory.setPassword(cuenta.direccion, temporal, { changeAtNextLogin: true });
      const motivo = caso?.procedureId.endsWith('reasignar') ? 'reasignacion' : caso?.procedureId.endsWith('restablecer') ? 'restablecimiento' : 'alta';
      // A new password each attempt, so the key changes with it (the outbox keeps one file per key).
      await deliver(this.mailer, temporaryPasswordMail(this.templates, { holder: holder.mail, correo: cuenta.direccion, motivo, contrasenaTemporal: temporal, idempotencyKey: `${cmd.idempotencyKey}:${cmd.attempts}` }));
      return { type: 'CREDENTIALS_SENT' };
    }
    if (caso?.procedureId === 'centro-trabajo-restablecer' && holder.mail.tipo === 'centro_trabajo') {
      // Guía 5.2.3 paso 9: the school's own password was applied; the mail confirms it without repeating it.
      await deliver(this.mailer, chosenPasswordAppliedMail(this.templates, { holder: holder.mail, correo: cuenta.direccion, fecha: new Date(), idempotencyKey: cmd.idempotencyKey }));
      return { type: 'CREDENTIALS_SENT' };
    }
    const { url, expiresAt } = await this.activation.issue(cuenta.id, cmd.caseId, cmd.id);
    const input = { holder: holder.mail, correo: cuenta.direccion, enlace: url, venceEl: expiresAt, idempotencyKey: cmd.idempotencyKey };
    if (caso?.procedureId === 'cuenta-reasignar') {
      for (const m of reassignmentMails(this.templates, { ...input, tipo: cuenta.tipo, folio: caso.folio ?? '', fecha: new Date() })) {
        if (m.template === 'reasignacion-nuevo-titular') await deliver(this.mailer, m);
      }
    } else if (caso?.procedureId.endsWith('restablecer')) {
      await deliver(this.mailer, resetLinkMail(this.templates, input));
      await deliver(this.mailer, resetNoticeMail(this.templates, { nombre: recipientOf(holder.mail).nombre, correo: cuenta.direccion, fecha: new Date(), idempotencyKey: `${cmd.idempotencyKey}:aviso` }));
    } else {
      await deliver(this.mailer, newAccountMail(this.templates, input));
    }
    return { type: 'CREDENTIALS_SENT' };
  }

  failureEvent(_cmd: OutboxCommand, _payload: unknown, message: string): EngineEvent {
    return { type: 'CREDENTIALS_ERROR', message, permanent: true };
  }
}

/** After a reset, reassignment or block the holder(s) are told (5.4: the previous holder learns their access ended). */
@Injectable()
export class NotifyHolderProcessor implements CommandProcessor {
  readonly type = 'notifyHolder' as const;
  private readonly log = new Logger('Avisos');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
    private readonly holders: HoldersService,
    private readonly accounts: CatalogAccounts,
    private readonly cases: CaseRecords,
  ) {}

  async handle(cmd: OutboxCommand, payload: unknown): Promise<null> {
    const p = payload as CommandParams['notifyHolder'];
    const cuenta = await this.accounts.get(p.cuentaId);
    const caso = await this.cases.find(cmd.caseId);
    const folio = caso?.folio ?? '';
    if (p.reason === 'block') {
      const holder = await this.holders.ofCuenta(cuenta);
      const mail = blockNoticeMail(this.templates, { holder: holder.mail, correo: cuenta.direccion, folio, fecha: new Date(), idempotencyKey: cmd.idempotencyKey });
      if (mail) await deliver(this.mailer, { ...mail, to: [...mail.to, cuenta.direccion] });
      else this.log.warn({ cuentaId: cuenta.id }, 'Sin correo alterno para avisar del bloqueo');
      return null;
    }
    if (p.reason === 'reassign' && p.previousCurp) {
      const previous = await this.holders.worker(p.previousCurp, cuenta.tipo === 'centro_trabajo' ? 'personal' : cuenta.tipo).catch(() => null);
      // Only the notice: the new holder's link mail is sendCredentials' job (and needs a link this job has not got).
      const mail = previous ? previousHolderMail(this.templates, { previousHolder: previous.mail, correo: cuenta.direccion, folio, fecha: new Date(), idempotencyKey: cmd.idempotencyKey }) : undefined;
      if (mail) await deliver(this.mailer, mail);
      else this.log.warn({ cuentaId: cuenta.id }, 'Sin correo alterno para avisar al titular anterior de la reasignación');
    }
    // 'reset': the link mail of sendCredentials already tells the holder; nothing more to send.
    return null;
  }
}

/**
 * Delayed jobs of the task inbox: "falta poco" reminds the role's people; "vencido" escalates to the Subdirección
 * (priority raised to alta). A task already closed is skipped: the job is simply late news.
 */
@Injectable()
export class TaskReminderProcessor implements CommandProcessor {
  readonly type = 'taskReminder' as const;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(cmd: OutboxCommand, payload: unknown): Promise<null> {
    const p = payload as { taskId: string; kind: 'recordatorio' | 'vencimiento' };
    const repo = this.ds.getRepository(Task);
    const task = await repo.findOne({ where: { id: p.taskId } });
    if (!task || task.status !== 'abierta') return null;
    const escalate = p.kind === 'vencimiento';
    if (escalate ? task.escalatedAt : task.remindedAt) return null;
    const roles = escalate ? [task.candidateRole, 'subdireccion'] : [task.candidateRole];
    const people = await this.ds.getRepository(StaffUser).find({ where: { rol: In(roles), activo: true } });
    const to = people
      .filter((u) => u.correo && (u.rol !== 'nivel' || u.nivelClave === task.nivelClave))
      .map((u) => u.correo!)
      .filter((v, i, a) => a.indexOf(v) === i);
    if (to.length) {
      const subject = escalate ? `Tarea vencida: ${task.title}${task.folio ? ` (${task.folio})` : ''}` : `Tarea por vencer: ${task.title}${task.folio ? ` (${task.folio})` : ''}`;
      const text = [
        escalate ? 'Una tarea de la bandeja venció sin atenderse y se escaló a la Subdirección de Sistemas y Servicios Telemáticos.' : 'Una tarea de su bandeja está por vencer.',
        `Tarea: ${task.title}`,
        task.folio ? `Folio: ${task.folio}` : '',
        `Vence: ${formatFechaHora(task.dueAt)}`,
        `Atiéndala en: ${this.config.publicBaseUrl}/bandeja`,
      ]
        .filter(Boolean)
        .join('\n');
      await deliver(this.mailer, { to, subject, text, html: `<p>${text.split('\n').map(escapeHtml).join('<br>')}</p>`, idempotencyKey: cmd.idempotencyKey });
    }
    await repo.update({ id: task.id }, escalate ? { escalatedAt: new Date(), priority: 1 } : { remindedAt: new Date() });
    return null;
  }
}

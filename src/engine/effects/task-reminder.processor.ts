import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StaffUsersService } from '../../auth/staff-users.service';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MailTemplates } from '../../mail/mail-templates';
import { MAILER, type Mailer } from '../../mail/mailer';
import { TASK_REMINDER } from '../engine.service';
import { Task } from '../entities/task.entity';
import { type CommandProcessor, type EffectCommand, EffectProcessor } from './effect-processor';
import { deliverMail } from './mail-effect';

/**
 * The task inbox's mails, queued by TaskReminderSweep when their time comes: "falta poco" reminds the role's people;
 * "vencido" escalates to the Subdirección too (the sweep raised the priority to alta when it queued it). A task closed
 * since is skipped: the mail would be late news. Runs once per task and kind (the outbox key `<task>:<kind>`).
 */
@Injectable()
@EffectProcessor()
export class TaskReminderProcessor implements CommandProcessor {
  readonly type = TASK_REMINDER;
  readonly queue = 'reminders' as const;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly staff: StaffUsersService,
    private readonly templates: MailTemplates,
  ) {}

  async handle(cmd: EffectCommand, payload: unknown): Promise<null> {
    const p = payload as { taskId: string; kind: 'recordatorio' | 'vencimiento' };
    const repo = this.ds.getRepository(Task);
    const task = await repo.findOne({ where: { id: p.taskId } });
    if (!task || task.status !== 'abierta') return null;
    const escalate = p.kind === 'vencimiento';
    const roles = escalate ? [task.candidateRole, 'subdireccion'] : [task.candidateRole];
    const people = await this.staff.activeOfRoles(roles);
    const to = people
      .filter((u) => u.correo && (u.rol !== 'nivel' || u.nivelClave === task.nivelClave))
      .map((u) => u.correo!)
      .filter((v, i, a) => a.indexOf(v) === i);
    if (to.length) {
      const mail = this.templates.render(escalate ? 'tarea-vencida' : 'tarea-por-vencer', {
        tarea: task.title,
        // Self-service and PII cases have no folio.
        folio: task.folio ?? 'sin folio',
        vence: task.dueAt,
        bandeja: `${this.config.publicBaseUrl}/bandeja`,
      });
      await deliverMail(this.mailer, { to, ...mail, idempotencyKey: cmd.idempotencyKey });
    }
    return null;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { StaffUsersService } from '../../auth/staff-users.service';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { formatFechaHora, MailTemplates } from '../../mail/mail-templates';
import { MAILER, type Mailer } from '../../mail/mailer';
import { INBOX_COUNT_CAP } from '../inbox.service';
import type { DigestItem, DigestPayload } from '../task-digest';
import { type CommandProcessor, type EffectCommand, EffectProcessor, TASK_DIGEST } from './effect-processor';
import { deliverMail } from './mail-effect';

/** A count as the message says it: past the inbox's cap, "más de 1000". */
function cantidad(n: number): string {
  return n > INBOX_COUNT_CAP ? `más de ${INBOX_COUNT_CAP}` : String(n);
}

/** The list of a digest, one paragraph per task: what the inbox shows of it, and the address of its case. */
export function digestList(p: Pick<DigestPayload, 'tareas' | 'nuevas'>, baseUrl: string): string {
  const item = (t: DigestItem): string =>
    [
      `Folio: ${t.folio ?? 'sin folio'}`,
      `Trámite: ${t.procedimiento}`,
      `Paso: ${t.paso}`,
      `Vence: ${formatFechaHora(new Date(t.vence))}`,
      `Ver el trámite: ${baseUrl}/tramites/${encodeURIComponent(t.tramite)}`,
    ].join('\n');
  const paragraphs = p.tareas.map(item);
  const rest = p.nuevas - p.tareas.length;
  if (rest > 0) {
    const llegaron = rest === 1 ? 'llegó otra tarea' : `llegaron otras ${cantidad(rest)} tareas`;
    paragraphs.push(`Además de estas, ${llegaron}: véalas en su bandeja.`);
  }
  return paragraphs.join('\n\n');
}

/**
 * Sends a digest of new tasks (TaskDigestScheduler wrote it): exactly what its payload lists, to the person it is for,
 * while they are still active with the role and level it was written for (otherwise nothing: those tasks may no longer
 * be theirs to see). The mail's Message-ID comes from the command's key: a replay sends nothing twice.
 */
@Injectable()
@EffectProcessor()
export class TaskDigestProcessor implements CommandProcessor {
  readonly type = TASK_DIGEST;
  readonly queue = 'reminders' as const;

  constructor(
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'publicBaseUrl'>,
    private readonly staff: StaffUsersService,
    private readonly templates: MailTemplates,
  ) {}

  async handle(cmd: EffectCommand, payload: unknown): Promise<null> {
    const p = payload as DigestPayload;
    const user = (await this.staff.activeOfRoles([p.rol])).find((u) => u.id === p.userId);
    if (!user?.correo || (user.nivelClave ?? null) !== p.nivelClave) return null;
    const mail = this.templates.render('tareas-nuevas', {
      nuevas: cantidad(p.nuevas),
      tareas: digestList(p, this.config.publicBaseUrl),
      abiertas: cantidad(p.abiertas),
      bandeja: `${this.config.publicBaseUrl}/bandeja`,
    });
    await deliverMail(this.mailer, { to: [user.correo], ...mail, idempotencyKey: cmd.idempotencyKey });
    return null;
  }
}

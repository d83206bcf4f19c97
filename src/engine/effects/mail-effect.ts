import { DomainError } from '../../common/domain-error';
import { MailDeliveryError, type Mailer } from '../../mail/mailer';
import { TransientError } from './effect-processor';

/**
 * A mail failure as the effect runner reads it: SMTP 4yz and network failures are retried, 5yz are not. A message
 * another process is sending is retried once its claim may have ended.
 */
export function mailFailure(e: unknown): never {
  if (e instanceof MailDeliveryError && !e.permanent)
    throw new TransientError(`No se pudo enviar el correo: ${e.message}`, e.retryAfterMs);
  if (e instanceof MailDeliveryError)
    throw new DomainError('CORREO_RECHAZADO', `El servidor de correo rechazó el mensaje: ${e.message}`, 422);
  throw e;
}

/** Sends a processor's mail; one already sent returns as done (the mailer sends each Message-ID at most once). */
export async function deliverMail(mailer: Mailer, mail: Parameters<Mailer['send']>[0]): Promise<void> {
  await mailer.send(mail).catch(mailFailure);
}

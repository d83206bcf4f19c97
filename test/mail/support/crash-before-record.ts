import { SentMailLedger } from '../../../src/mail/sent-mail-ledger';

/**
 * The fault hook of the crash tests: the server has accepted the message (250) and the process dies before the record
 * says so. The database is left as that crash leaves it: a claim 'enviando' that nobody will confirm.
 */
export class CrashBeforeRecord extends SentMailLedger {
  override markSent(): Promise<void> {
    return Promise.reject(new Error('proceso terminado (simulado)'));
  }
}

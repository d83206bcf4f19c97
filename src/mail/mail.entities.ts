import { SentMail } from './sent-mail.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const MAIL_ENTITIES = [SentMail];

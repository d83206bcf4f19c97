import { rateLimit } from '../common/rate-limit';

export const VERIFICATION_LIMIT_PER_MINUTE = 60;

/** The public verification routes: a person checks a few letters, a script guessing codes (50 bits each) is slowed down. */
export const VerificationRateLimit = rateLimit(
  VERIFICATION_LIMIT_PER_MINUTE,
  60_000,
  'Demasiadas consultas de verificación desde su conexión. Espere un minuto e intente de nuevo.',
);

import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { certificateExpiryWarning, createSignerFromEnv, type PdfSigner } from '../letters/signer';

/** The institution's signer (P12, SAT e.firma, or the embedded test certificate), loaded once when the module starts. */
export const PDF_SIGNER = Symbol('PDF_SIGNER');

/**
 * Loads the signer at boot, before anything connects (AppModule.forRoot): a certificate that is not valid now stops the
 * start; one that expires within 30 days is logged as a warning here and reported by /health until it is replaced.
 */
export function loadPdfSigner(c: AppConfig, now: Date = new Date()): PdfSigner {
  const signer = createSignerFromEnv(
    {
      SIGNING_P12: c.signing.p12,
      SIGNING_P12_PASSPHRASE: c.signing.p12Passphrase,
      SIGNING_CER: c.signing.cer,
      SIGNING_KEY: c.signing.key,
      SIGNING_KEY_PASSPHRASE: c.signing.keyPassphrase,
    },
    c.dataDir,
    c.env === 'production',
    now,
  );
  const warning = certificateExpiryWarning(signer.certificate, now);
  if (warning !== undefined) new Logger('Firma').warn(warning);
  return signer;
}

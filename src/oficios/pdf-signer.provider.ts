import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { createSignerFromEnv, type PdfSigner } from '../letters/signer';

/** The institution's signer (P12, SAT e.firma, or the embedded test certificate), loaded once when the module starts. */
export const PDF_SIGNER = Symbol('PDF_SIGNER');

export const pdfSignerProvider: Provider<PdfSigner> = {
  provide: PDF_SIGNER,
  inject: [APP_CONFIG],
  useFactory: (c: AppConfig): PdfSigner =>
    createSignerFromEnv(
      {
        SIGNING_P12: c.signing.p12,
        SIGNING_P12_PASSPHRASE: c.signing.p12Passphrase,
        SIGNING_CER: c.signing.cer,
        SIGNING_KEY: c.signing.key,
        SIGNING_KEY_PASSPHRASE: c.signing.keyPassphrase,
      },
      c.dataDir,
      c.env === 'production',
    ),
};

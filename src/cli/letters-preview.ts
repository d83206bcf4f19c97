// npm run letters:preview — renders one document of each kind with demo data, signed with the test certificate, to
// <DATA_DIR>/preview/*.pdf and a PNG of every page (pdftoppm -png -r 80), so wording and layout can be looked at.
// Always the test certificate: demo data must never come out validly signed by the institution.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePrivateDir } from '../config/config';
import { demoAcuse, demoCombinedReplyLetter, demoLines, demoReplyLetter, demoValues } from '../letters/demo-data';
import { linesTable, linesValues } from '../letters/lines-table';
import { renderSignedAcuse, renderSignedReplyLetter, type SignedDocument } from '../letters/renderer';
import { loadOrCreateTestSigner } from '../letters/signer';
import {
  COMBINED_OUTCOME,
  fillLetterTemplate,
  loadLetterTemplate,
  SHIPPED_LETTERS,
  validateLetterTemplates,
} from '../letters/templates';

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  const out = join(dataDir, 'preview');
  // Private like the rest of DATA_DIR, pdftoppm's PNGs included (they are written under this process's umask).
  process.umask(0o077);
  ensurePrivateDir(out);
  for (const f of readdirSync(out)) if (/\.(pdf|png)$/.test(f)) rmSync(join(out, f));

  validateLetterTemplates();
  // The preview is dated and signed now: the test certificate is valid from the day it was made.
  const now = new Date();
  const signer = loadOrCreateTestSigner(dataDir, now);
  const docs: Array<[string, SignedDocument]> = [];
  docs.push(['acuse', await renderSignedAcuse(demoAcuse({ recibidoEn: now }), signer, { signedAt: now })]);
  for (const { procedure, outcome } of SHIPPED_LETTERS) {
    // One generic rejection is enough to look at.
    if (outcome === 'rechazada' && procedure !== 'centro-trabajo-alta') continue;
    const filled = fillLetterTemplate(loadLetterTemplate(procedure, outcome), demoValues(procedure, outcome));
    const name = outcome === 'rechazada' ? 'rechazada' : `${procedure}-${outcome}`;
    docs.push([
      name,
      await renderSignedReplyLetter(demoReplyLetter({ ...filled, fecha: now }), signer, { signedAt: now }),
    ]);
  }
  // The combined reply to an oficio that asks for many schools' accounts: a table over more than one page.
  docs.push([
    'respuesta-combinada',
    await renderSignedReplyLetter(demoCombinedReplyLetter(25, { fecha: now }), signer, { signedAt: now }),
  ]);
  // The one letter that answers an oficio for 25 schools, from its template, as the letters processor fills it.
  const lines = demoLines(25);
  const combined = fillLetterTemplate(loadLetterTemplate('centro-trabajo-alta', COMBINED_OUTCOME), {
    ...demoValues('centro-trabajo-alta', 'creada'),
    ...linesValues(lines),
  });
  docs.push([
    `centro-trabajo-alta-${COMBINED_OUTCOME}`,
    await renderSignedReplyLetter(demoReplyLetter({ ...combined, tabla: linesTable(lines), fecha: now }), signer, {
      signedAt: now,
    }),
  ]);
  for (const [name, doc] of docs) {
    const pdf = join(out, `${name}.pdf`);
    writeFileSync(pdf, doc.pdf);
    execFileSync('pdftoppm', ['-png', '-r', '80', pdf, join(out, name)]);
    console.log(`${pdf}  ${doc.pages} pág.  sha256 ${doc.sha256.slice(0, 16)}…`);
  }
  console.log(`Vista previa en ${out} (firmada con el certificado de prueba, serie ${signer.certificate.serial}).`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

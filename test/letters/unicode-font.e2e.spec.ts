import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoAcuse, demoReplyLetter } from '../../src/letters/demo-data';
import { renderSignedAcuse, renderSignedReplyLetter, type SignedDocument } from '../../src/letters/renderer';
import { loadOrCreateTestSigner, type PdfSigner } from '../../src/letters/signer';

/** Names of people the catalog holds that are not in the PDF base fonts' Latin-1 (Maya ʼ, Breve, Polish Ł). */
const NAME = 'Kʼiin Ŭlloa Łukasz';

let dir: string;
let signer: PdfSigner;
const NOW = new Date();

beforeAll(() => {
  for (const bin of ['pdfsig', 'pdftotext']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      throw new Error(`These tests need "${bin}": apt-get install -y poppler-utils`);
  }
  dir = mkdtempSync(join(tmpdir(), 'unicode-font-'));
  signer = loadOrCreateTestSigner(join(dir, 'data'), NOW);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(doc: SignedDocument, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, doc.pdf);
  expect(spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout).toContain('Signature is Valid.');
  return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
}

describe('letters print every character of a name', () => {
  it('reply letter: asunto, destinatario, body and c.c.p.', async () => {
    const doc = await renderSignedReplyLetter(
      demoReplyLetter({
        asunto: `Cuenta de ${NAME}`,
        destinatario: { nombre: NAME, cargo: `Jefa de ${NAME}` },
        cuerpo: `Se creó la cuenta institucional de ${NAME}.\n\n**${NAME}**`,
        ccp: [`${NAME}, Subjefatura de Sistemas`],
        testDocument: false,
      }),
      signer,
      { signedAt: NOW },
    );
    const text = check(doc, 'respuesta');
    expect(text).toContain(`Cuenta de ${NAME}`);
    expect(text).toContain(`Jefa de ${NAME}`);
    expect(text).toContain(`Se creó la cuenta institucional de ${NAME}.`);
    expect(text).toContain(`c.c.p. ${NAME}, Subjefatura de Sistemas`);
    expect(text).toContain(NAME.toUpperCase());
  });

  it('acuse: remitente and asunto', async () => {
    const base = demoAcuse();
    const doc = await renderSignedAcuse(
      { ...base, remitente: { ...base.remitente, nombre: NAME }, asunto: `Alta de ${NAME}` },
      signer,
      { signedAt: NOW },
    );
    const text = check(doc, 'acuse');
    expect(text).toContain(NAME);
    expect(text).toContain(`Alta de ${NAME}`);
  });
});

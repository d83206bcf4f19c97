import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { demoAcuse, demoReplyLetter, demoValues } from '../../src/letters/demo-data';
import { formatFechaOficio } from '../../src/letters/fecha';
import { renderSignedAcuse, renderSignedReplyLetter, type ReplyLetterData } from '../../src/letters/renderer';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import { fillLetterTemplate, loadLetterTemplate } from '../../src/letters/templates';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, measure, Progress } from './stats';

/**
 * A signed reply letter (template load + fill + render with membrete, QR and signature block + PKCS#7 signature)
 * against pdfkit alone writing the same words on one page, unsigned.
 */

const WARMUP = 3;

function replyLetter(): ReplyLetterData {
  const filled = fillLetterTemplate(
    loadLetterTemplate('centro-trabajo-alta', 'creada'),
    demoValues('centro-trabajo-alta', 'creada'),
  );
  return demoReplyLetter(filled);
}

/** pdfkit with nothing of ours: the same texts, Helvetica, one A4 page, no QR, no placeholder, no signature. */
function rawPdf(d: ReplyLetterData): Promise<Buffer> {
  return new Promise((resolvePdf, reject) => {
    const doc = new PDFDocument({ size: 'A4', margins: { top: 112, bottom: 106, left: 72, right: 72 } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolvePdf(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(10.5).text(`Oficio No. ${d.numeroOficio}`, { align: 'right' });
    doc.font('Helvetica').text(formatFechaOficio(d.fecha, d.lugar), { align: 'right' });
    doc.fontSize(9).text(`Folio: ${d.folio}`, { align: 'right' });
    doc.font('Helvetica-Bold').fontSize(10.5).text('Asunto: ', { continued: true }).font('Helvetica').text(d.asunto);
    doc.moveDown();
    doc.font('Helvetica-Bold').text(d.destinatario.nombre.toUpperCase());
    doc.font('Helvetica').text(d.destinatario.cargo);
    if (d.destinatario.area) doc.text(d.destinatario.area);
    doc.font('Helvetica-Bold').text('P r e s e n t e');
    doc.moveDown();
    for (const p of d.cuerpo
      .split(/\n\s*\n/)
      .map((s) =>
        s
          .trim()
          .replace(/\*\*/g, '')
          .replace(/\s*\n\s*/g, ' '),
      )
      .filter(Boolean)) {
      doc.font('Helvetica').fontSize(10.5).text(p, { align: 'justify', lineGap: 2 });
      doc.moveDown(0.5);
    }
    doc.font('Helvetica-Bold').fontSize(11).text('A t e n t a m e n t e', { align: 'center' });
    doc.moveDown();
    doc.text(d.firmante.nombre.toUpperCase(), { align: 'center' });
    doc.font('Helvetica').fontSize(10.5).text(d.firmante.cargo, { align: 'center' });
    doc.fontSize(8);
    for (const c of d.ccp) doc.text(`c.c.p. ${c}`);
    doc.end();
  });
}

export async function benchLetters(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  heading('Oficios / letters');
  const tmp = mkdtempSync(join(tmpdir(), 'mci-bench-letters-'));
  try {
    const signer = loadOrCreateTestSigner(tmp);
    const n = sizes.letters;
    const bytes = { respuesta: 0, acuse: 0, raw: 0, pages: 0 };

    let p = new Progress('Oficio de respuesta firmado (plantilla + render + firma)', n);
    const reply = await measure({ iterations: n, warmup: WARMUP, unit: 'documento', progress: p }, async () => {
      const doc = await renderSignedReplyLetter(replyLetter(), signer);
      bytes.respuesta = doc.pdf.length;
      bytes.pages = doc.pages;
    });
    p.finish(`mediana ${reply.summary.medianMs} ms`);

    p = new Progress('Acuse de recibo firmado', n);
    const acuseData = demoAcuse();
    const acuse = await measure({ iterations: n, warmup: WARMUP, unit: 'documento', progress: p }, async () => {
      bytes.acuse = (await renderSignedAcuse(acuseData, signer)).pdf.length;
    });
    p.finish(`mediana ${acuse.summary.medianMs} ms`);

    p = new Progress('pdfkit directo, mismo texto, sin firma', n);
    const data = replyLetter();
    const raw = await measure({ iterations: n, warmup: WARMUP, unit: 'documento', progress: p }, async () => {
      bytes.raw = (await rawPdf(data)).length;
    });
    p.finish(`mediana ${raw.summary.medianMs} ms`);

    out.measurements.push(
      {
        section: 'oficios',
        id: 'letters.reply.signed',
        label: 'renderSignedReplyLetter + firma (centro-trabajo-alta, creada)',
        kind: 'producto',
        compareWith: ['letters.raw.pdfkit'],
        notes: [
          `Plantilla cargada y llenada en cada documento; ${bytes.pages} página(s), ${Math.round(bytes.respuesta / 1024)} KiB; firma PKCS#7 con el certificado de prueba (RSA).`,
        ],
        ...reply,
      },
      {
        section: 'oficios',
        id: 'letters.acuse.signed',
        label: 'renderSignedAcuse + firma (acuse de recibo)',
        kind: 'producto',
        compareWith: ['letters.raw.pdfkit'],
        notes: [`${Math.round(bytes.acuse / 1024)} KiB.`],
        ...acuse,
      },
      {
        section: 'oficios',
        id: 'letters.raw.pdfkit',
        label: 'pdfkit directo: mismo texto, 1 página, sin QR ni firma',
        short: 'pdfkit',
        kind: 'base',
        notes: [`${Math.round(bytes.raw / 1024)} KiB.`],
        ...raw,
      },
    );
    out.details.letterBytes = bytes;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

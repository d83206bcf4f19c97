import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoAcuse, demoReplyLetter, demoValues } from './demo-data';
import { renderSignedAcuse, renderSignedReplyLetter } from './renderer';
import { loadOrCreateTestSigner, type PdfSigner } from './signer';
import { fillLetterTemplate, loadLetterTemplate } from './templates';

export interface TimingSummary {
  iterations: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export interface LetterBenchResult {
  /** Render + sign of an acuse de recibo (template load not included: an acuse has none). */
  acuse: TimingSummary;
  /** Template load + fill + render + sign of a reply letter (centro-trabajo-alta → creada). */
  respuesta: TimingSummary;
  bytes: { acuse: number; respuesta: number };
}

function summarize(samples: number[]): TimingSummary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const round = (n: number): number => Math.round(n * 100) / 100;
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { iterations: s.length, medianMs: round(median), p95Ms: round(at(0.95)), minMs: round(s[0]), maxMs: round(s[s.length - 1]) };
}

/**
 * Measures render + sign, one document at a time, after a short warm-up (the key is loaded once, as in production).
 * Uses the given signer, or a test certificate made in a temporary folder.
 */
export async function benchLetters(options: { iterations?: number; signer?: PdfSigner } = {}): Promise<LetterBenchResult> {
  const iterations = options.iterations ?? 50;
  const tmp = options.signer === undefined ? mkdtempSync(join(tmpdir(), 'bench-letters-')) : undefined;
  try {
    const signer = options.signer ?? loadOrCreateTestSigner(tmp as string);
    const acuse = demoAcuse();
    const oneAcuse = async (): Promise<number> => (await renderSignedAcuse(acuse, signer)).pdf.length;
    const oneReply = async (): Promise<number> => {
      const filled = fillLetterTemplate(
        loadLetterTemplate('centro-trabajo-alta', 'creada'),
        demoValues('centro-trabajo-alta', 'creada'),
      );
      return (await renderSignedReplyLetter(demoReplyLetter(filled), signer)).pdf.length;
    };
    const bytes = { acuse: 0, respuesta: 0 };
    for (let i = 0; i < 3; i++) {
      bytes.acuse = await oneAcuse();
      bytes.respuesta = await oneReply();
    }
    const time = async (fn: () => Promise<number>): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        await fn();
        samples.push(performance.now() - t0);
      }
      return samples;
    };
    return { acuse: summarize(await time(oneAcuse)), respuesta: summarize(await time(oneReply)), bytes };
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchLetters({ iterations: Number(process.env.ITERATIONS ?? 50) })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}

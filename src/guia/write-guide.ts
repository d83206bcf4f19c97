import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_PROCEDURES } from '../../machines/index';
import { buildGeneratedGuide, type GeneratedGuide, renderMarkdown } from './generated-guide';
import { renderGuidePdf } from './guide-pdf';
import { loadGuideText, parseGuide } from './guide-text';
import { projectPath } from '../config/project-root';

/** Where `npm run guia` writes when no folder is given. */
export const DEFAULT_OUT_DIR = projectPath('docs', 'guia-generada');

export interface WrittenGuide {
  guide: GeneratedGuide;
  markdownPath: string;
  pdfPath: string;
  pdfBytes: number;
}

/**
 * Generates the guide from the catalog and writes `guia-v<versión>.md` and `.pdf` into `outDir`, reporting each step
 * through `progress`. The issue date is the version's (`GUIDE_VERSIONS`): the same catalog writes the same bytes on
 * any day.
 */
export async function writeGeneratedGuide(
  outDir: string,
  progress: (message: string) => void = () => {},
): Promise<WrittenGuide> {
  const source = loadGuideText();
  progress(`Leyendo la guía anterior (para citar lo que decía): ${source.path}`);
  const parsed = parseGuide(source.text);
  progress(`Generando las tablas de ${CURRENT_PROCEDURES.length} procedimientos del catálogo…`);
  const guide = buildGeneratedGuide(CURRENT_PROCEDURES, parsed);
  const steps = guide.tables.reduce((n, t) => n + t.rows.length, 0);
  progress(`  ${guide.tables.length} tablas, ${steps} pasos, ${guide.corrections.length} correcciones aplicadas.`);
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `guia-v${guide.catalogVersion}`);
  const markdownPath = `${base}.md`;
  writeFileSync(markdownPath, renderMarkdown(guide), 'utf8');
  progress(`Escrito ${markdownPath}`);
  progress('Dibujando el PDF…');
  const pdf = await renderGuidePdf(guide);
  const pdfPath = `${base}.pdf`;
  writeFileSync(pdfPath, pdf);
  progress(`Escrito ${pdfPath} (${Math.round(pdf.length / 1024)} KB)`);
  return { guide, markdownPath, pdfPath, pdfBytes: pdf.length };
}

import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { openMigratedDatabase } from './open-database';
import { DomainError } from '../common/domain-error';
import { loadConfig } from '../config/config';
import { verifyMovementLog } from '../engine/audit';
import { parseHeads, type SignedTreeHead } from '../engine/transparency/tree-head';
import { loadPdfSigner } from '../oficios/pdf-signer.provider';

const USAGE = 'Uso: npm run audit:verify -- [--desde CABEZAS.json]... [--certificado CERT.pem|.cer]...';

function readFileOrExplain(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DomainError('ARCHIVO_ILEGIBLE', `No se pudo leer ${what} ${path}: ${(e as Error).message}`, 422);
  }
}

/** A certificate file as PEM or DER, back to DER. */
function certificateDer(path: string): Buffer {
  try {
    return new X509Certificate(readFileOrExplain(path, 'el certificado')).raw;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError('CERTIFICADO_ILEGIBLE', `${path} no es un certificado X.509 (PEM o DER).`, 422);
  }
}

function parseArgs(argv: string[]): { external: SignedTreeHead[]; certificates: Buffer[] } {
  const external: SignedTreeHead[] = [];
  const certificates: Buffer[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (value === undefined || !['--desde', '--certificado'].includes(flag))
      throw new DomainError('USO', `Opción «${argv[i] ?? flag}» no reconocida. ${USAGE}`, 400);
    if (flag === '--desde')
      external.push(...parseHeads(readFileOrExplain(value, 'las cabezas').toString('utf8'), value));
    else certificates.push(certificateDer(value));
  }
  return { external, certificates };
}

// npm run audit:verify — every case's chain, the Merkle tree against every signed head, and the heads an auditor kept
// (--desde); exit 1 and a list when anything was tampered with, 2 when it could not verify at all.
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const trusted = [loadPdfSigner(config).certificateDer, ...args.certificates];
  // Migrated as `npm start` does: a fresh embedded default verifies (an empty log) instead of failing on missing tables.
  const ds = await openMigratedDatabase(config);
  const tty = process.stderr.isTTY;
  try {
    const r = await verifyMovementLog(ds, {
      trusted,
      external: args.external,
      onProgress: (n, phase) => {
        if (tty)
          process.stderr.write(
            `\r${phase === 'cadenas' ? 'Verificando cadenas' : 'Recalculando el árbol'}… ${n.toLocaleString('es-MX')}   `,
          );
      },
    });
    if (tty) process.stderr.write('\n');
    const fmt = (n: number): string => n.toLocaleString('es-MX');
    if (r.problems.length === 0) {
      console.log(
        `Bitácora íntegra: ${fmt(r.checked)} movimientos verificados, ninguno alterado; ` +
          `árbol de ${fmt(r.treeSize)} hojas coincide con ${fmt(r.heads)} cabeza(s) firmada(s)` +
          (args.external.length ? `, ${fmt(args.external.length)} de ellas externa(s)` : '') +
          (r.pending
            ? `; ${fmt(r.pending)} movimiento(s) por integrar (el secuenciador los integra en segundos)`
            : '') +
          '.',
      );
      return;
    }
    console.log(`¡Bitácora alterada! ${r.problems.length} problema(s) en ${fmt(r.checked)} movimientos:`);
    for (const p of r.problems)
      console.log(
        `  ${p.seq ? `${p.problema === 'cabeza' || p.problema === 'externa' || p.problema === 'firma' ? 'cabeza' : 'movimiento'} ${p.seq}` : 'bitácora'}: ${p.problema} — ${p.detalle}`,
      );
    console.log('Conserve una copia de la base de datos tal como está y avise a la Subjefatura de Sistemas.');
    process.exitCode = 1;
  } finally {
    await ds.destroy();
  }
}

// Exit 2: the log could not be read at all (not a verdict on it). A DomainError already says what to do.
main().catch((e: unknown) => {
  console.error(`No se pudo verificar la bitácora: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});

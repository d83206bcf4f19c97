import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { leafHash, verifyInclusion } from '../engine/transparency/merkle';
import { keyIdOf, parseHeads, verifyHeadSignature } from '../engine/transparency/tree-head';

/**
 * npm run verify:proof -- bitacora.json [--certificado CERT.pem]
 *
 * Offline, without the database: checks the file a letter's verification page gives (GET /verificar/<código>/bitacora.json).
 * 1. the tree head is signed by the certificate (the one given with --certificado, else the one in the file, whose
 *    fingerprint is printed to compare with the institution's published certificate);
 * 2. every movement's leaf is SHA-256(0x00 ‖ movement hash) and its audit path leads to the signed root (RFC 9162).
 * Exit 0 when everything holds, 1 when something does not, 2 when the file cannot be read.
 */

interface ProofFile {
  format?: string;
  head: unknown;
  certificate?: string;
  movements: { caseSeq: number; movementHash: string; leafIndex: number; leafHash: string; proof: string[] }[];
}

const HEX64 = /^[0-9a-f]{64}$/;

function main(argv: string[]): number {
  let file: string | undefined;
  let certFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--certificado') certFile = argv[++i];
    else if (argv[i].startsWith('--certificado=')) certFile = argv[i].slice('--certificado='.length);
    else file = argv[i];
  }
  if (!file) {
    console.error('Uso: npm run verify:proof -- bitacora.json [--certificado CERT.pem]');
    return 2;
  }
  let data: ProofFile;
  let cert: X509Certificate;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as ProofFile;
    if (!Array.isArray(data.movements)) throw new Error('no trae movimientos');
    const certSource = certFile ? readFileSync(certFile) : data.certificate;
    if (!certSource) throw new Error('no trae el certificado: páselo con --certificado');
    cert = new X509Certificate(certSource);
  } catch (e) {
    console.error(`No se pudo leer ${file}: ${(e as Error).message}`);
    return 2;
  }
  const [head] = parseHeads(JSON.stringify(data.head), `${file} (head)`);
  const problems: string[] = [];
  console.log(`Certificado: ${cert.subject.replace(/\n/g, ', ')}`);
  console.log(
    `Huella (keyId): ${keyIdOf(cert.raw)}${certFile ? '' : '  ← compárela con la que publica la institución'}`,
  );
  if (!verifyHeadSignature(head, cert.raw))
    problems.push(`la cabeza de tamaño ${head.treeSize} no está firmada por ese certificado`);
  const root = Buffer.from(head.rootHash, 'hex');
  for (const m of data.movements) {
    const ok =
      typeof m.movementHash === 'string' &&
      HEX64.test(m.movementHash) &&
      leafHash(Buffer.from(m.movementHash, 'hex')).toString('hex') === m.leafHash &&
      Array.isArray(m.proof) &&
      m.proof.every((p) => typeof p === 'string' && HEX64.test(p)) &&
      verifyInclusion(
        Buffer.from(m.leafHash, 'hex'),
        m.leafIndex,
        head.treeSize,
        m.proof.map((p) => Buffer.from(p, 'hex')),
        root,
      );
    if (!ok) problems.push(`el movimiento ${m.caseSeq} (hoja ${m.leafIndex}) no está en el árbol que firmó la cabeza`);
  }
  if (problems.length) {
    console.log(`¡No verifica! ${problems.length} problema(s):`);
    for (const p of problems) console.log(`  ${p}`);
    return 1;
  }
  console.log(
    `Verifica: los ${data.movements.length} movimiento(s) del trámite están en la bitácora firmada el ${head.timestamp} ` +
      `(${head.treeSize} movimientos, raíz ${head.rootHash}).`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));

import {
  KeyObject,
  X509Certificate,
  constants as cryptoConstants,
  createPrivateKey,
  generateKeyPairSync,
  privateEncrypt,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import { SignPdf } from '@signpdf/signpdf';
import { Signer } from '@signpdf/utils';
import { DomainError } from '../common/domain-error';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/config';
import { formatFechaLarga } from './fecha';
import { CURP_PATTERN } from '../validation/curp';

/** What a document prints and the verification page shows about the certificate that signed it. */
export interface CertificateInfo {
  /** Serial number exactly as in the certificate, hexadecimal, upper case. */
  serialHex: string;
  /**
   * The serial as people quote it: SAT certificates encode their 20-digit "número de certificado" as ASCII digits
   * inside the serial, so we decode those; any other certificate shows its hexadecimal serial.
   */
  serial: string;
  subject: {
    /** CN, or the `name`/O attribute when a certificate has no CN. */
    nombre: string;
    rfc?: string;
    curp?: string;
    organizacion?: string;
    correo?: string;
    /** The whole distinguished name, for the record. */
    dn: string;
  };
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** True only for the self-signed certificate of the embedded default: its documents say they are test documents. */
  test: boolean;
}

/**
 * Port: signs PDFs (PKCS#7 detached, adbe.pkcs7.detached) and computes the "sello digital" of a cadena original.
 * Implementations load the key once; signing a document never re-reads or re-decrypts key material.
 */
export interface PdfSigner {
  readonly certificate: CertificateInfo;
  /** The signing certificate (X.509 DER): the verification page checks sellos against it. */
  readonly certificateDer: Buffer;
  /** What the cadena original names as the signer: RFC, else CURP, else "SERIE:<serial>". */
  readonly signerId: string;
  /** Signs a PDF that already carries a signature placeholder (see @signpdf/placeholder-pdfkit). */
  signPdf(pdfWithPlaceholder: Buffer, signingTime: Date): Promise<Buffer>;
  /** base64 RSA-SHA256 signature of the cadena original (UTF-8), made with the same key that signs the PDF. */
  sello(cadenaOriginal: string): string;
}

/** RFC 8017 DigestInfo prefix for SHA-256: lets the native RSA primitive sign a digest forge already computed. */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

// @types/node-forge types valueTagClass as an asn1.Class; forge really reads it as the string's universal tag type.
const UTF8_TAG = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
const OID_X500_UNIQUE_IDENTIFIER = '2.5.4.45';
const OID_SERIAL_NUMBER = '2.5.4.5';
const RFC_RE = /^[A-ZÑ&]{3,4}\d{6}[A-Z\d]{3}$/;

/**
 * The @signpdf Signer that builds the same PKCS#7 as @signpdf/signer-p12 (SHA-256, contentType + signingTime +
 * messageDigest attributes, detached) but from a key loaded once: P12Signer re-parses and re-decrypts the PKCS#12 on
 * every document, and forge's pure-JS RSA is ~20× slower than the native one we hand it here.
 */
class PreloadedKeySigner extends Signer {
  private readonly issuerAsn1: forge.asn1.Asn1;

  constructor(
    private readonly key: KeyObject,
    private readonly cert: forge.pki.Certificate,
    private readonly chain: forge.pki.Certificate[],
  ) {
    super();
    this.issuerAsn1 = originalIssuer(cert);
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    p7.addCertificate(this.cert);
    for (const c of this.chain) p7.addCertificate(c);
    const key = this.key;
    // forge only calls key.sign(md) on what it is given as "key": a native RSA primitive over the DigestInfo.
    const nativeKey = {
      sign(md: forge.md.MessageDigest): string {
        const digest = Buffer.from(md.digest().getBytes(), 'binary');
        return privateEncrypt(
          { key, padding: cryptoConstants.RSA_PKCS1_PADDING },
          Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]),
        ).toString('binary');
      },
    };
    p7.addSigner({
      key: nativeKey as unknown as forge.pki.rsa.PrivateKey,
      certificate: this.cert,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    p7.sign({ detached: true });
    const asn1 = p7.toAsn1();
    // forge rebuilds the signer's issuer Name from parsed attributes, re-encoding UTF8String values a second time
    // (and flattening multi-valued RDNs): "Núñez" no longer matches the certificate and verifiers answer "signer
    // certificate not found". The issuer is not under the signature, so put back the certificate's own bytes.
    const signedData = (asn1.value as forge.asn1.Asn1[])[1].value[0] as forge.asn1.Asn1;
    const sdValues = signedData.value as forge.asn1.Asn1[];
    const signerInfo = (sdValues[sdValues.length - 1].value as forge.asn1.Asn1[])[0];
    const issuerAndSerial = (signerInfo.value as forge.asn1.Asn1[])[1];
    (issuerAndSerial.value as forge.asn1.Asn1[])[0] = this.issuerAsn1;
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  }
}

/** The issuer Name exactly as encoded in the certificate (tbsCertificate field 4, or 3 for a v1 certificate). */
function originalIssuer(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert));
  const parsed = forge.asn1.fromDer(der);
  const tbs = (parsed.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const offset = tbs[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return tbs[offset + 2];
}

class KeyPairPdfSigner implements PdfSigner {
  readonly certificate: CertificateInfo;
  readonly certificateDer: Buffer;
  readonly signerId: string;
  private readonly signer: PreloadedKeySigner;
  private readonly signPdfLib = new SignPdf();

  constructor(
    private readonly key: KeyObject,
    cert: forge.pki.Certificate,
    chain: forge.pki.Certificate[],
    test: boolean,
  ) {
    if (key.asymmetricKeyType !== 'rsa') {
      throw new DomainError(
        'FIRMA_LLAVE_NO_RSA',
        'La llave privada no es RSA; el firmado de oficios solo admite llaves RSA (como las de la e.firma del SAT).',
        422,
      );
    }
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
    this.certificateDer = der;
    if (!new X509Certificate(der).checkPrivateKey(key)) {
      throw new DomainError(
        'FIRMA_LLAVE_NO_CORRESPONDE',
        'La llave privada no corresponde al certificado: revise que el .key y el .cer sean del mismo par.',
        422,
      );
    }
    this.certificate = describeCertificate(cert, test);
    const s = this.certificate.subject;
    this.signerId = s.rfc ?? s.curp ?? `SERIE:${this.certificate.serial}`;
    this.signer = new PreloadedKeySigner(key, cert, chain);
  }

  async signPdf(pdfWithPlaceholder: Buffer, signingTime: Date): Promise<Buffer> {
    const problem = validityProblem(this.certificate, signingTime);
    if (problem !== undefined) throw new DomainError('FIRMA_CERTIFICADO_NO_VIGENTE', problem, 503);
    return this.signPdfLib.sign(pdfWithPlaceholder, this.signer, signingTime);
  }

  sello(cadenaOriginal: string): string {
    return cryptoSign('sha256', Buffer.from(cadenaOriginal, 'utf8'), this.key).toString('base64');
  }
}

/** From how many days before its expiry the log and /health warn about the signing certificate. */
export const CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

const certificateName = (c: CertificateInfo): string =>
  `El certificado de firma (serie ${c.serial}, ${c.subject.nombre})`;

/** Why nothing can be signed with the certificate at `now` (expired or not valid yet); undefined when it is current. */
function validityProblem(c: CertificateInfo, now: Date): string | undefined {
  if (now > c.validTo) {
    return `${certificateName(c)} venció el ${formatFechaLarga(c.validTo)}: los acuses y oficios no se pueden firmar. Configure un certificado vigente.`;
  }
  if (now < c.validFrom) {
    return `${certificateName(c)} aún no es válido: lo será a partir del ${formatFechaLarga(c.validFrom)}. Revise la fecha y hora del equipo o configure un certificado vigente.`;
  }
  return undefined;
}

/** Whole days from `now` until the certificate expires (0 or less once expired). */
export function certificateDaysLeft(c: CertificateInfo, now: Date): number {
  return Math.ceil((c.validTo.getTime() - now.getTime()) / DAY_MS);
}

/** What the log and /health say when the certificate is not current or expires within CERTIFICATE_WARNING_DAYS. */
export function certificateExpiryWarning(c: CertificateInfo, now: Date): string | undefined {
  const problem = validityProblem(c, now);
  if (problem !== undefined) return problem;
  const days = certificateDaysLeft(c, now);
  if (days > CERTIFICATE_WARNING_DAYS) return undefined;
  return (
    `${certificateName(c)} vence el ${formatFechaLarga(c.validTo)} (en ${days} ${days === 1 ? 'día' : 'días'}): ` +
    'tramite el nuevo y configúrelo antes de esa fecha, o los acuses y oficios dejarán de firmarse.'
  );
}

/** Checks a sello against the certificate's public key (what the verification page does). */
export function verifySello(cadenaOriginal: string, sello: string, certificateDer: Buffer): boolean {
  const cert = new X509Certificate(certificateDer);
  return cryptoVerify('sha256', Buffer.from(cadenaOriginal, 'utf8'), cert.publicKey, Buffer.from(sello, 'base64'));
}

function attr(cert: forge.pki.Certificate, key: { shortName?: string; type?: string }): string | undefined {
  const found = cert.subject.attributes.find(
    (a) =>
      (key.shortName !== undefined && a.shortName === key.shortName) || (key.type !== undefined && a.type === key.type),
  );
  const v = found === undefined ? undefined : fieldText(found);
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** forge returns UTF8String values as raw UTF-8 bytes in a binary string: names with accents need decoding. */
function fieldText(a: forge.pki.CertificateField): string | undefined {
  if (typeof a.value !== 'string') return undefined;
  if ((a.valueTagClass as unknown) !== forge.asn1.Type.UTF8) return a.value;
  try {
    return forge.util.decodeUtf8(a.value);
  } catch {
    return a.value;
  }
}

/** SAT writes "RFC / RFC del representante" and " / CURP": the first well-formed token is the holder's. */
function firstMatching(raw: string | undefined, re: RegExp): string | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split('/')
    .map((t) => t.trim().toUpperCase())
    .find((t) => re.test(t));
}

function dnString(attrs: forge.pki.CertificateField[]): string {
  return attrs.map((a) => `${a.shortName ?? a.name ?? a.type}=${fieldText(a) ?? ''}`).join(', ');
}

export function describeCertificate(cert: forge.pki.Certificate, test: boolean): CertificateInfo {
  const serialHex = cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
  const serialBytes = Buffer.from(serialHex.length % 2 ? '0' + serialHex : serialHex, 'hex');
  const ascii = serialBytes.toString('latin1');
  const serial = /^\d{8,}$/.test(ascii) ? ascii : serialHex;
  const uid = attr(cert, { type: OID_X500_UNIQUE_IDENTIFIER });
  const sn = attr(cert, { type: OID_SERIAL_NUMBER });
  const rfc = firstMatching(uid, RFC_RE) ?? firstMatching(sn, RFC_RE);
  const curp = firstMatching(sn, CURP_PATTERN) ?? firstMatching(uid, CURP_PATTERN);
  const nombre =
    attr(cert, { shortName: 'CN' }) ?? attr(cert, { type: '2.5.4.41' }) ?? attr(cert, { shortName: 'O' }) ?? '';
  return {
    serialHex,
    serial,
    subject: {
      nombre,
      ...(rfc !== undefined ? { rfc } : {}),
      ...(curp !== undefined ? { curp } : {}),
      ...(attr(cert, { shortName: 'O' }) !== undefined ? { organizacion: attr(cert, { shortName: 'O' }) } : {}),
      ...(attr(cert, { shortName: 'E' }) !== undefined ? { correo: attr(cert, { shortName: 'E' }) } : {}),
      dn: dnString(cert.subject.attributes),
    },
    issuer: dnString(cert.issuer.attributes),
    validFrom: cert.validity.notBefore,
    validTo: cert.validity.notAfter,
    test,
  };
}

function forgeCertFromDer(der: Buffer, what: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  } catch (e) {
    throw new DomainError(
      'FIRMA_CERTIFICADO_ILEGIBLE',
      `No se pudo leer el certificado ${what}: debe ser un certificado X.509 RSA en formato DER (.cer). ` +
        `Detalle: ${e instanceof Error ? e.message : String(e)}`,
      422,
    );
  }
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new DomainError('FIRMA_ARCHIVO_NO_ENCONTRADO', `No se pudo leer ${what} en "${path}".`, 422);
  }
}

/**
 * Opens a PKCS#12 with forge. For PBES2 (OpenSSL 3's default export: AES, PBKDF2) forge hands PBKDF2 the passphrase's
 * characters cut to bytes (Latin-1) where OpenSSL uses its UTF-8 bytes, so "contraseña" passes the MAC (a PKCS#12 key
 * derivation over the BMPString, which forge computes right) and then fails to decrypt. Once the MAC has proved the
 * passphrase, the contents are decrypted again with its UTF-8 bytes, without the MAC (it would read those bytes as
 * characters). P12s encrypted with the PKCS#12 key derivation (forge's, OpenSSL -legacy) open on the first try.
 */
function openPkcs12(der: Buffer, passphrase: string): forge.pkcs12.Pkcs12Pfx {
  const pfx = (): forge.asn1.Asn1 => forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  try {
    return forge.pkcs12.pkcs12FromAsn1(pfx(), false, passphrase);
  } catch (e) {
    const utf8 = forge.util.encodeUtf8(passphrase);
    if (utf8 === passphrase || /MAC could not be verified/i.test(e instanceof Error ? e.message : '')) throw e;
    const withoutMac = pfx();
    (withoutMac.value as forge.asn1.Asn1[]).splice(2);
    return forge.pkcs12.pkcs12FromAsn1(withoutMac, false, utf8);
  }
}

/** Loads an institutional PKCS#12 (.p12/.pfx) once. */
export function loadP12Signer(p12: Buffer | string, passphrase: string): PdfSigner {
  const buf = typeof p12 === 'string' ? readFile(p12, 'el archivo .p12 de firma (SIGNING_P12)') : p12;
  let bags: { certs: forge.pki.Certificate[]; key: forge.pki.PrivateKey | undefined };
  try {
    const parsed = openPkcs12(buf, passphrase);
    const certBags = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    const keyBags = [
      ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
      ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
    ];
    bags = {
      certs: certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => c !== undefined),
      key: keyBags.find((b) => b.key !== undefined)?.key,
    };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new DomainError(
      'FIRMA_P12_ILEGIBLE',
      /MAC could not be verified|Invalid password|Failed to decrypt/i.test(detail)
        ? 'No se pudo abrir el archivo .p12: la contraseña (SIGNING_P12_PASSPHRASE) no es correcta.'
        : `No se pudo abrir el archivo .p12: no es un PKCS#12 válido o usa un cifrado que no se admite (${detail}).`,
      422,
    );
  }
  if (bags.key === undefined || bags.certs.length === 0) {
    throw new DomainError(
      'FIRMA_P12_INCOMPLETO',
      'El archivo .p12 debe contener la llave privada y su certificado.',
      422,
    );
  }
  const key = createPrivateKey(forge.pki.privateKeyToPem(bags.key));
  const pub = forge.pki.setRsaPublicKey(
    (bags.key as forge.pki.rsa.PrivateKey).n,
    (bags.key as forge.pki.rsa.PrivateKey).e,
  );
  const own = bags.certs.find((c) => forge.pki.publicKeyToPem(c.publicKey) === forge.pki.publicKeyToPem(pub));
  if (own === undefined) {
    throw new DomainError(
      'FIRMA_LLAVE_NO_CORRESPONDE',
      'El archivo .p12 no contiene el certificado que corresponde a su llave privada.',
      422,
    );
  }
  return new KeyPairPdfSigner(
    key,
    own,
    bags.certs.filter((c) => c !== own),
    false,
  );
}

/**
 * Loads the SAT e.firma pair once: the .cer (X.509 DER) and the .key (PKCS#8 DER, encrypted with the passphrase the
 * official chose). OpenSSL reads the .key natively, including the PBES2/3DES SAT uses.
 */
export function loadSatSigner(cer: Buffer | string, keyFile: Buffer | string, passphrase: string): PdfSigner {
  const cerBuf = typeof cer === 'string' ? readFile(cer, 'el certificado .cer (SIGNING_CER)') : cer;
  const keyBuf = typeof keyFile === 'string' ? readFile(keyFile, 'la llave privada .key (SIGNING_KEY)') : keyFile;
  const cert = forgeCertFromDer(cerBuf, '.cer');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyBuf, format: 'der', type: 'pkcs8', passphrase });
  } catch {
    throw new DomainError(
      'FIRMA_KEY_ILEGIBLE',
      'No se pudo abrir la llave privada (SIGNING_KEY): la contraseña (SIGNING_KEY_PASSPHRASE) no es correcta o el archivo no es una ' +
        'llave PKCS#8 cifrada (formato DER) como la que entrega el SAT.',
      422,
    );
  }
  return new KeyPairPdfSigner(key, cert, [], false);
}

export const TEST_SIGNER_FILE = 'firma-prueba.pem';
const testSignerFile = (dataDir: string): string => join(dataDir, 'firma', TEST_SIGNER_FILE);

/**
 * The embedded default's signer: a self-signed certificate made the first time and kept under dataDir, so every test
 * document of an installation carries the same serial. Creation is atomic (link fails if another process won the race).
 */
export function loadOrCreateTestSigner(dataDir: string, now: Date = new Date()): PdfSigner {
  const file = testSignerFile(dataDir);
  const dir = dirname(file);
  if (!existsSync(file)) {
    ensurePrivateDir(dir);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, createTestCertificatePem(now), { mode: PRIVATE_FILE_MODE });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  const pem = readFileSync(file, 'utf8');
  const cert = forge.pki.certificateFromPem(pem);
  const key = createPrivateKey(pem);
  return new KeyPairPdfSigner(key, cert, [], true);
}

function createTestCertificatePem(now: Date): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial (high bit clear) of 16 random bytes.
  const serial = randomBytes(16);
  serial[0] = serial[0] & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const subject: forge.pki.CertificateField[] = [
    { shortName: 'CN', value: 'Firma de prueba — Mi Correo Institucional', valueTagClass: UTF8_TAG },
    { shortName: 'O', value: 'DOCUMENTO DE PRUEBA — sin validez oficial', valueTagClass: UTF8_TAG },
    { shortName: 'C', value: 'MX' },
    // SAT's generic RFC ("público en general"): a test signer must not look like a real person.
    { type: OID_X500_UNIQUE_IDENTIFIER, value: 'XAXX010101000' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert) + privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface SignerEnv {
  SIGNING_P12?: string;
  SIGNING_P12_PASSPHRASE?: string;
  SIGNING_CER?: string;
  SIGNING_KEY?: string;
  SIGNING_KEY_PASSPHRASE?: string;
}

/**
 * Chooses the signer from the environment: the institution's P12, else the SAT e.firma pair, else (not in production)
 * the self-signed test certificate. Called once at boot: a certificate that is not valid at `now` stops the start,
 * naming where it came from (an expired certificate would only make every acuse fail later, one by one).
 */
export function createSignerFromEnv(
  env: SignerEnv,
  dataDir: string,
  production: boolean,
  now: Date = new Date(),
): PdfSigner {
  const { signer, source } = loadSignerFromEnv(env, dataDir, production, now);
  const problem = validityProblem(signer.certificate, now);
  if (problem !== undefined) throw new DomainError('FIRMA_CERTIFICADO_NO_VIGENTE', `${source}: ${problem}`, 503);
  return signer;
}

function loadSignerFromEnv(
  env: SignerEnv,
  dataDir: string,
  production: boolean,
  now: Date,
): { signer: PdfSigner; source: string } {
  const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
  if (set(env.SIGNING_P12)) {
    if (!set(env.SIGNING_P12_PASSPHRASE)) {
      throw new DomainError('FIRMA_CONFIG', 'SIGNING_P12 está definida pero falta SIGNING_P12_PASSPHRASE.', 503);
    }
    return {
      signer: loadP12Signer(env.SIGNING_P12, env.SIGNING_P12_PASSPHRASE),
      source: `SIGNING_P12 (${env.SIGNING_P12})`,
    };
  }
  if (set(env.SIGNING_CER) || set(env.SIGNING_KEY)) {
    if (!set(env.SIGNING_CER) || !set(env.SIGNING_KEY) || !set(env.SIGNING_KEY_PASSPHRASE)) {
      throw new DomainError(
        'FIRMA_CONFIG',
        'Para firmar con la e.firma del SAT defina SIGNING_CER, SIGNING_KEY y SIGNING_KEY_PASSPHRASE.',
        503,
      );
    }
    return {
      signer: loadSatSigner(env.SIGNING_CER, env.SIGNING_KEY, env.SIGNING_KEY_PASSPHRASE),
      source: `SIGNING_CER (${env.SIGNING_CER})`,
    };
  }
  if (production) {
    throw new DomainError(
      'FIRMA_CONFIG',
      'En producción los oficios se firman con el certificado de la institución: defina SIGNING_P12 (y ' +
        'SIGNING_P12_PASSPHRASE) o SIGNING_CER, SIGNING_KEY y SIGNING_KEY_PASSPHRASE.',
      503,
    );
  }
  return {
    signer: loadOrCreateTestSigner(dataDir, now),
    source: `Certificado de prueba ${testSignerFile(dataDir)} (bórrelo y se hará uno nuevo al iniciar)`,
  };
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const UTF8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;

export interface MadeCertificate {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  keyPem: string;
  certDer: Buffer;
}

/** A certificate issued by a throwaway CA key (or self-signed), the way the tests need one. */
export function makeCertificate(options: {
  subject: forge.pki.CertificateField[];
  issuer?: forge.pki.CertificateField[];
  serialHex?: string;
  notBefore?: Date;
  notAfter?: Date;
}): MadeCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(12);
  serial[0] &= 0x7f;
  cert.serialNumber = options.serialHex ?? serial.toString('hex');
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 4 * 365 * 86_400_000);
  cert.setSubject(options.subject);
  cert.setIssuer(options.issuer ?? options.subject);
  // Signed with its own key: the issuer name is what matters to the PKCS#7 signer info, not a chain.
  cert.sign(key, forge.md.sha256.create());
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { cert, key, keyPem, certDer };
}

/** A PKCS#12 as node-forge writes it ({ algorithm: '3des' }, what @signpdf's P12 reader expects). */
export function makeP12(made: MadeCertificate, passphrase: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(made.key, [made.cert], passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * A SAT e.firma-shaped pair: .cer (DER) with the holder's RFC in x500UniqueIdentifier, the CURP in serialNumber and
 * the 20-digit certificate number as ASCII digits in the serial; .key = PKCS#8 DER encrypted (PBES2, 3DES).
 */
export function makeSatPair(
  passphrase: string,
  validity: { notBefore?: Date; notAfter?: Date } = {},
): {
  cer: Buffer;
  key: Buffer;
  made: MadeCertificate;
} {
  const made = makeCertificate({
    subject: [
      { shortName: 'CN', value: 'JOSÉ ÁNGEL NÚÑEZ CEBALLOS', valueTagClass: UTF8 },
      { type: '2.5.4.41', value: 'JOSÉ ÁNGEL NÚÑEZ CEBALLOS', valueTagClass: UTF8 }, // name
      { shortName: 'O', value: 'JOSÉ ÁNGEL NÚÑEZ CEBALLOS', valueTagClass: UTF8 },
      { shortName: 'C', value: 'MX' },
      { shortName: 'E', value: 'jose.nunez@example.com' },
      { type: '2.5.4.45', value: 'NUCJ800101AB1 / ' },
      { type: '2.5.4.5', value: ' / NUCJ800101HCMXBL09' },
    ],
    // SAT's real issuer is ASCII; an accented one proves the signer info keeps the certificate's own issuer bytes.
    issuer: [
      { shortName: 'CN', value: 'AC DE PRUEBAS DEL SERVICIO DE ADMINISTRACIÓN TRIBUTARIA', valueTagClass: UTF8 },
      { shortName: 'O', value: 'Servicio de Administración Tributaria', valueTagClass: UTF8 },
      { shortName: 'C', value: 'MX' },
    ],
    serialHex: Buffer.from('30001000000500003416', 'latin1').toString('hex'),
    ...validity,
  });
  const encrypted = forge.pki.encryptPrivateKeyInfo(
    forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(made.key)),
    passphrase,
    { algorithm: '3des' },
  );
  return { cer: made.certDer, key: Buffer.from(forge.asn1.toDer(encrypted).getBytes(), 'binary'), made };
}

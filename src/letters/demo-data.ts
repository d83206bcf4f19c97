import { TABLE_MARK, type AcuseData, type LetterTable, type ReplyLetterData } from './renderer';
import type { LetterOutcome, LetterProcedure, LetterValues } from './templates';
import { maskEmail, shortVerifyUrl, verifyUrl } from './verification';
import type { LineResult } from './lines-table';

/**
 * Plausible demo data (fictitious people and schools) for `letters:preview`, the benchmark and tests.
 * DEMO_DATE (28 Nov 2026 at 11:05 in Colima = 17:05 UTC) is only a date printed on demo content, so that two calls give
 * the same document: it is never a signing time. A signature is made at the clock's time (`signedAt: clock()`), inside
 * the validity of a certificate made from the same clock; a fixed signing date would stop working the day the
 * certificate no longer covers it.
 */
export const DEMO_DATE = new Date('2026-11-28T17:05:00Z');
export const DEMO_BASE_URL = 'https://correo.colima.gob.mx';
export const DEMO_CODE = '7K3QXM2PZA';

export function demoAcuse(overrides: Partial<AcuseData> = {}): AcuseData {
  return {
    folio: 'MCI-2026-000123',
    recibidoEn: DEMO_DATE,
    recibio: {
      nombre: 'María Fernanda Ochoa Larios',
      cargo: 'Oficialía de partes, Subdirección de Sistemas y Servicios Telemáticos',
    },
    turnadoA: 'Subjefatura de Sistemas',
    remitente: {
      nombre: 'Profr. José Ángel Núñez Ceballos',
      cargo: 'Director de Educación Primaria',
      dependencia: 'Nivel Primaria',
    },
    oficio: { numero: 'DEP/0457/2026', fecha: '2026-11-25' },
    asunto:
      'Solicitud de cuenta de correo electrónico institucional para la escuela primaria "Benito Juárez" (06DPR0012X)',
    fojas: 2,
    anexos: 'Copia del nombramiento del director',
    archivoSha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    verifyUrl: verifyUrl(DEMO_BASE_URL, DEMO_CODE),
    shortUrl: shortVerifyUrl(DEMO_BASE_URL, DEMO_CODE),
    testDocument: true,
    ...overrides,
  };
}

/** Values a case would supply to each shipped template. Never a password: there is no placeholder for one. */
export function demoValues(procedure: LetterProcedure, outcome: LetterOutcome): LetterValues {
  const common: LetterValues = {
    folio: 'MCI-2026-000123',
    numeroOficioSolicitud: 'DEP/0457/2026',
    fechaOficioSolicitud: '25 de noviembre de 2026',
    vigenciaEnlace: '72 horas',
  };
  if (outcome === 'rechazada') {
    return {
      ...common,
      motivo:
        'el centro de trabajo 06DPR9999Z no aparece en el Catálogo de Centros de Trabajo; actualice sus datos generales ' +
        'en el catálogo antes de solicitar la cuenta.',
    };
  }
  if (outcome === 'cuenta_existente') {
    // Nothing was created: no link went anywhere, so no alternate address and no validity.
    const { vigenciaEnlace: _none, ...rest } = common;
    return {
      ...rest,
      correo: '06dpr0012x@colima.gob.mx',
      cct: '06DPR0012X',
      centroTrabajo: 'Escuela Primaria "Benito Juárez"',
      nivel: 'Primaria',
    };
  }
  switch (procedure) {
    case 'centro-trabajo-alta':
      return {
        ...common,
        nombre: 'Profra. Rocío Guadalupe Peña Gutiérrez',
        correo: '06dpr0012x@colima.gob.mx',
        correoAlterno: maskEmail('rocio.pena.gtz@gmail.com'),
        cct: '06DPR0012X',
        centroTrabajo: 'Escuela Primaria "Benito Juárez"',
        nivel: 'Primaria',
        codigoActivacion: 'K7P-2MX',
      };
    case 'servicio-alta':
      return {
        ...common,
        nombre: 'Ing. Julián Ramírez Ávalos',
        correo: 'becas.educacion@colima.gob.mx',
        correoAlterno: maskEmail('julian.ramirez.av@hotmail.com'),
        tipoCuenta: 'Servicio',
      };
    case 'servicio-restablecer':
      return {
        ...common,
        nombre: 'Ing. Julián Ramírez Ávalos',
        correo: 'becas.educacion@colima.gob.mx',
        correoAlterno: maskEmail('julian.ramirez.av@hotmail.com'),
      };
    case 'cuenta-reasignar':
      return {
        ...common,
        nombre: 'Lic. Ana Sofía Cárdenas Muñoz',
        titularAnterior: 'Lic. Ernesto Villaseñor Díaz',
        correo: 'programa.lectura@colima.gob.mx',
        correoAlterno: maskEmail('anasofia.cardenas@yahoo.com.mx'),
      };
    case 'cuenta-bloquear':
      return { ...common, correo: 'programa.lectura@colima.gob.mx' };
  }
}

export function demoReplyLetter(overrides: Partial<ReplyLetterData> = {}): ReplyLetterData {
  return {
    folio: 'MCI-2026-000123',
    numeroOficio: 'SSST/1187/2026',
    fecha: DEMO_DATE,
    asunto: 'Creación de la cuenta de correo electrónico institucional del centro de trabajo 06DPR0012X',
    destinatario: {
      nombre: 'Profr. José Ángel Núñez Ceballos',
      cargo: 'Director de Educación Primaria',
      area: 'Coordinación de los Servicios Educativos del Estado de Colima',
    },
    cuerpo: 'En atención a su oficio número DEP/0457/2026, le informo que la cuenta fue creada.',
    firmante: { nombre: 'Mtro. Luis Alberto Gómez Zamora', cargo: 'Subdirector de Sistemas y Servicios Telemáticos' },
    ccp: ['Subjefatura de Sistemas.- Para su conocimiento.', 'Expediente del trámite MCI-2026-000123.'],
    verifyUrl: verifyUrl(DEMO_BASE_URL, DEMO_CODE),
    shortUrl: shortVerifyUrl(DEMO_BASE_URL, DEMO_CODE),
    testDocument: true,
    ...overrides,
  };
}

const DEMO_SCHOOLS = [
  'Escuela Primaria "Benito Juárez"',
  'Escuela Primaria "Gregorio Torres Quintero"',
  'Escuela Primaria "Josefa Ortiz de Domínguez"',
  'Escuela Primaria "Ignacio Zaragoza", turno vespertino',
  'Escuela Primaria "Rafaela Suárez"',
  'Escuela Primaria Rural "Emiliano Zapata"\nLocalidad El Trapiche, Cuauhtémoc',
  'Escuela Primaria "Profr. Miguel Virgen Morfín"',
];

/**
 * The combined reply's table (one row per line of an oficio that asks for many schools' accounts): a created account,
 * now and then one that already existed, and a rejection whose reason wraps in its cell.
 */
export function demoTable(rows: number): LetterTable {
  return {
    columnas: ['No.', 'CCT', 'Centro de trabajo', 'Cuenta institucional', 'Resultado'],
    anchos: [5, 13, 29, 25, 22],
    filas: Array.from({ length: rows }, (_, i) => {
      const cct = `06DPR${String(i + 1).padStart(4, '0')}${'ABCDEFGHJK'[i % 10]}`;
      const resultado =
        i % 11 === 4
          ? 'No atendida: el centro de trabajo no aparece en el Catálogo de Centros de Trabajo.'
          : i % 7 === 2
            ? 'Ya existía; sin cambios.'
            : 'Creada; enlace de activación enviado al correo alterno.';
      const cuenta = resultado.startsWith('No atendida') ? '—' : `${cct.toLowerCase()}@colima.gob.mx`;
      return [String(i + 1), cct, DEMO_SCHOOLS[i % DEMO_SCHOOLS.length], cuenta, resultado];
    }),
  };
}

/** The combined reply to one oficio asking for `rows` schools' accounts, with its table in the middle of the cuerpo. */
export function demoCombinedReplyLetter(rows: number, overrides: Partial<ReplyLetterData> = {}): ReplyLetterData {
  return demoReplyLetter({
    asunto: `Cuentas de correo electrónico institucional de ${rows} centros de trabajo`,
    cuerpo: [
      'En atención a su oficio número DEP/0457/2026, de fecha 25 de noviembre de 2026, en el que solicita las ' +
        `cuentas de correo electrónico institucional de ${rows} centros de trabajo del nivel Primaria, le informo ` +
        'el resultado de cada uno:',
      TABLE_MARK,
      'Cada director recibió en el correo alterno registrado un enlace de activación, vigente por 72 horas, para ' +
        'establecer su contraseña. Las solicitudes no atendidas pueden presentarse de nuevo una vez corregido el dato ' +
        'señalado.',
      'Sin otro particular, le envío un cordial saludo.',
    ].join('\n\n'),
    tabla: demoTable(rows),
    ...overrides,
  });
}

/** The lines of an oficio for `n` schools as the letters processor gives them: mostly created, some not. */
export function demoLines(n: number): LineResult[] {
  return Array.from({ length: n }, (_, i) => {
    const cct = `06DPR${String(i + 1).padStart(4, '0')}${'ABCDEFGHJK'[i % 10]}`;
    const base = { linea: i + 1, cct, centroTrabajo: DEMO_SCHOOLS[i % DEMO_SCHOOLS.length] };
    if (i % 11 === 4)
      return {
        ...base,
        resultado: 'rechazada',
        motivo: 'el centro de trabajo está dado de baja en el Catálogo de Centros de Trabajo.',
      };
    if (i % 7 === 2) return { ...base, resultado: 'cuenta_existente', correo: `${cct.toLowerCase()}@colima.gob.mx` };
    return {
      ...base,
      resultado: 'creada',
      correo: `${cct.toLowerCase()}@colima.gob.mx`,
      correoAlterno: maskEmail(`direccion.${cct.toLowerCase()}@gmail.com`),
    };
  });
}

/**
 * Bad input: every route that takes a body (read from the router at run time: API DTOs, page forms, uploads) gets
 * bodies made by fast-check — wrong types, sizes up to the parser limits, Unicode (RTL marks, combining marks, emoji,
 * lone surrogates), NUL bytes, nesting up to and past the depth limit, arrays where objects go, prototype-pollution
 * keys; multipart uploads with random bytes, names and types — sent by the principal that may use the route, so the
 * validation is really reached. Every answer: below 500; a rejected request (4xx) says why in Spanish (JSON
 * `mensaje` or an es-MX page) and leaves every table of the database exactly as it was.
 *
 * Seeded and bounded: FUZZ_RUNS inputs per route (default 12 per dialect) from FUZZ_SEED (default fixed); e.g.
 * `FUZZ_RUNS=500 npx jest test/faults/bad-input.spec.ts` for a long run. Runs on SQLite and on MariaDB.
 */
import fc from 'fast-check';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { CatalogImportJobs } from '../../src/catalog/import/import-jobs';
import { Task } from '../../src/engine/entities/task.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { LETTER_PROCEDURES } from '../../src/letters/templates';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { scannedOficio } from '../oficios/support';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { hash as argonHash } from 'argon2';
import type { Dialect } from '../../src/database/data-source-options';
import {
  addressFor,
  changedTables,
  LogCapture,
  dbState,
  type FaultApp,
  faultApp,
  readsSpanish,
  routeKey,
  routeTable,
} from './support';
import { buildWorld, CCT, PII_KEY, type StaffName, type World } from './world';
import { reportFigures } from './report';
import { DirectoryReconciliation } from '../../src/provisioning/directory-reconciliation';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261120);
/** About a quarter second per input on a loaded 2-core machine, never below the e2e project's own timeout. */
const TIMEOUT_MS = Math.max(180_000, 60_000 + RUNS * 40 * 250);

type Encoding = 'json' | 'form' | 'multipart';
type As = StaffName | 'anonimo' | 'pii' | 'cambio';

interface FuzzRow {
  as: As;
  encoding: Encoding;
  params?: (w: World) => Record<string, string>;
  /** The fields the route reads, each with values that pass its checks (the fuzzer mixes them with hostile ones). */
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** The route ends the session it is called with: each input gets a fresh one. */
  freshSession?: boolean;
  signInForm?: boolean;
  /** After an accepted input: put back what the next input needs (a task taken, a password changed). */
  after?: (w: World, t: FaultApp) => Promise<unknown>;
}

// ---- arbitraries ----------------------------------------------------------------------------------------------

/** Fragments that have broken parsers, databases, templates or logs somewhere. */
const FRAGMENTS = [
  '\u0000',
  'a\u0000b',
  '\u202e\u0645\u0631\u062d\u0628\u0627', // RTL override + Arabic
  '\u200f\u05e9\u05dc\u05d5\u05dd',
  'e\u0301\u0301\u0301\u0301',
  'Z\u0364\u0324\u0354\u0351\u0343',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u2028\u2029\u0085',
  '\r\nX-Inyectado: 1',
  "'; DROP TABLE staff_user; --",
  '" OR "1"="1',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%ff',
  '${7*7}{{7*7}}',
  'Kʼiin Ŭlloa Łukasz Ñuñez',
  '\u0007\u001b[31m',
];
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 6 })
    .map((a) => a.join('')),
  fc.integer({ min: 200, max: 30_000 }).map((n) => 'ñ'.repeat(n)),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    'true',
    'null',
    'undefined',
    'NaN',
    '1e309',
    '9'.repeat(40),
    '2026-02-30',
    '0000-00-00',
  ),
);
/** Nested arrays / objects `depth` levels deep (the parsers allow 32). */
const nested = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([depth, arrays]) => {
  let v: unknown = 'fondo';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  nested,
);
const POLLUTION = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString'];
const extraKey = fc.oneof(fc.constantFrom(...POLLUTION), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }));
/** Text of any value (objects without a prototype included). */
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
const fieldValue = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 3, arbitrary: hostileString },
    { weight: 2, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...FRAGMENTS)).map(([v, f]) => `${text(v)}${f}`) },
  );

/** A body as key/value pairs (so "__proto__" stays a plain key), the route's fields mostly present. */
type Pairs = [string, unknown][];
const pairsFor = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Pairs> =>
  fc
    .tuple(
      fc.tuple(
        ...Object.entries(fields).map(([k, valid]) =>
          fc.option(fieldValue(valid), { freq: 5, nil: undefined }).map((v): [string, unknown] => [k, v]),
        ),
      ),
      fc.array(fc.tuple(extraKey, fc.oneof(hostileString, wrongType)), { maxLength: 3 }),
    )
    .map(([known, extra]) => [...known.filter(([, v]) => v !== undefined), ...extra]);

/** What the route gets: a shaped body (most runs), or something else entirely. */
type Body = { kind: 'pairs'; pairs: Pairs } | { kind: 'raw'; json: unknown };
const bodyFor = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 6, arbitrary: pairsFor(fields).map((pairs): Body => ({ kind: 'pairs', pairs })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.jsonValue({ maxDepth: 3 }),
          nested,
          pairsFor(fields).map((p) => [Object.fromEntries(p)]),
        )
        .map((json): Body => ({ kind: 'raw', json })),
    },
  );

const jsonText = (body: Body): string => {
  if (body.kind === 'raw') return JSON.stringify(body.json);
  return `{${body.pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
};

/** application/x-www-form-urlencoded as the extended (qs) parser reads it: a[b][c]=v, a[]=v. */
const formText = (body: Body): string => {
  const out: string[] = [];
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
  const put = (key: string, v: unknown): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${key}[]=`);
      v.forEach((x) => put(`${key}[]`, x));
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) out.push(`${key}[]=`);
      for (const [k, x] of entries) put(`${key}[${enc(k)}]`, x);
    } else out.push(`${key}=${v === null ? '' : enc(text(v).replace(/[\ud800-\udfff]/g, '\ufffd'))}`);
  };
  const pairs: Pairs =
    body.kind === 'pairs'
      ? body.pairs
      : Array.isArray(body.json) || (body.json && typeof body.json === 'object')
        ? Object.entries(body.json)
        : [['valor', body.json]];
  for (const [k, v] of pairs) put(enc(k), v);
  return out.join('&');
};

/** A scanned letter, or bytes that only pretend to be one. */
const upload = fc.oneof(
  { weight: 2, arbitrary: fc.constant('PDF_REAL' as const) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('%PDF-1.4\n', '\x89PNG\r\n\x1a\n', '\xff\xd8\xff', 'II*\x00', 'MM\x00*'),
        fc.uint8Array({ maxLength: 2048 }),
      )
      .map(([h, b]) => Buffer.concat([Buffer.from(h, 'latin1'), Buffer.from(b)])),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);
const fileMeta = fc.record({
  field: fc.oneof(
    { weight: 5, arbitrary: fc.constant('archivo') },
    { weight: 1, arbitrary: hostileString.map((s) => s.replace(/["\r\n]/g, '')) },
  ),
  filename: fc.oneof(
    fc.constant('oficio.pdf'),
    hostileString.map((s) => s.replace(/["\r\n]/g, '_')),
    fc.constant('../../../etc/passwd'),
    fc.constant('a'.repeat(500) + '.pdf'),
  ),
  type: fc.oneof(
    fc.constantFrom(
      'application/pdf',
      'image/png',
      'image/jpeg',
      'image/tiff',
      'text/html',
      'application/x-msdownload',
      'application/octet-stream',
    ),
    fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
  ),
  twice: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  truncate: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
});

interface Input {
  body: Body;
  /** Mostly the route's own encoding; sometimes another one, which must be refused as cleanly. */
  encoding: Encoding | 'text';
  file: {
    data: Uint8Array | 'PDF_REAL' | null;
    meta: { field: string; filename: string; type: string; twice: boolean; truncate: boolean };
  };
  /** Whether a page's form token is sent right (a forged one must be a clean 403 too). */
  csrf: 'bueno' | 'falta' | 'malo';
}
const inputFor = (row: FuzzRow): fc.Arbitrary<Input> =>
  fc.record({
    body: bodyFor(row.fields),
    encoding: fc.oneof(
      { weight: 8, arbitrary: fc.constant(row.encoding) },
      { weight: 1, arbitrary: fc.constantFrom<Encoding | 'text'>('json', 'form', 'multipart', 'text') },
    ),
    file: fc.record({ data: upload, meta: fileMeta }),
    csrf: fc.oneof(
      { weight: 8, arbitrary: fc.constant('bueno' as const) },
      { weight: 1, arbitrary: fc.constantFrom('falta' as const, 'malo' as const) },
    ),
  });

function multipart(pairs: Pairs, file: Input['file'], pdf: Buffer): { type: string; data: Buffer } {
  const boundary = `----mci${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  const flat: [string, string][] = [];
  for (const [k, v] of pairs) {
    if (Array.isArray(v)) for (const x of v) flat.push([k, text(x)]);
    else flat.push([k, text(v)]);
  }
  for (const [k, v] of flat)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"\r\n\r\n${v}\r\n`,
        'utf8',
      ),
    );
  const data = file.data === 'PDF_REAL' ? pdf : file.data;
  if (data) {
    for (let i = 0; i < (file.meta.twice ? 2 : 1); i++) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${file.meta.field}"; filename="${file.meta.filename}"\r\nContent-Type: ${file.meta.type}\r\n\r\n`,
          'utf8',
        ),
        Buffer.from(data),
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  let all = Buffer.concat(parts);
  if (file.meta.truncate) all = all.subarray(0, Math.floor(all.length / 2));
  return { type: `multipart/form-data; boundary=${boundary}`, data: all };
}

// ---- the routes -----------------------------------------------------------------------------------------------

const curp = fc.constantFrom('GUOD800202MCMMCL13', 'PEXR800303MCMXCC07', 'AAAA000000HCMXXX00');
const untake = (w: World, t: FaultApp) =>
  t.db.dataSource.getRepository(Task).update({ id: w.nivelCase.taskId }, { assigneeId: null });
/** After an accepted password change: the user's password back to the suite's, so the next input signs in again. */
const restorePassword = async (_w: World, t: FaultApp) =>
  t.db.dataSource
    .getRepository(StaffUser)
    .update(
      { usuario: 'cambio' },
      { passwordHash: await argonHash(STAFF_PASSWORD, { timeCost: 2, memoryCost: 8192 }), mustChangePassword: false },
    );

/** The fields of each route that takes a body; a route the router has and this table does not fails the suite. */
const rows = (w: World): Record<string, FuzzRow> => {
  const login_ = {
    usuario: fc.constantFrom('sistemas', 'nadie', 'SISTEMAS '),
    contrasena: fc.constantFrom(STAFF_PASSWORD, 'no-es-esta'),
  };
  const newPassword = fc.constantFrom('tamarindo-faro-lluvia-77', 'contraseña', '123456789012', 'cambio-cambio-cambio');
  const letterhead = {
    direccion1: fc.constantFrom('Av. Gonzalo de Sandoval 760, Colima, Col.', '', 'x'.repeat(300)),
    direccion2: fc.constantFrom('', 'Tel. 312 316 1300'),
    leyenda: fc.constantFrom('', '2026, Año de la Educación', '<script>alert(1)</script>'),
    firmante_titulo: fc.constantFrom('Mtra.', '', 'Ing.'.repeat(40)),
    firmante_nombre: fc.constantFrom('María Fernanda Ochoa Larios', '', ' '),
    firmante_cargo: fc.constantFrom('Subdirectora de Sistemas y Servicios Telemáticos', ''),
    quitar_logo: fc.constantFrom('si', 'no', ''),
  };
  const user = {
    usuario: fc.constantFrom('nuevo.usuario', 'x'),
    nombre: fc.constantFrom('Itzel Cárdenas'),
    rol: fc.constantFrom('nivel', 'subjefatura', 'root'),
    nivel: fc.constantFrom('PRIMARIA', 'NO-EXISTE'),
    correo: fc.constantFrom('itzel@example.test', 'no-es-correo'),
  };
  const event = {
    tipo: fc.constantFrom(
      'RESTABLECER',
      'CONFIRMAR',
      'CREAR_CUENTA',
      'REASIGNAR',
      'BLOQUEAR',
      'CANCELAR',
      'ACUSAR_RECIBO',
      'INICIAR_USO',
    ),
    version: fc.constantFrom('§version§', 1, 2, 0, -1, 2 ** 31),
    datos: fc.dictionary(
      fc.constantFrom(
        'cuentaId',
        'cct',
        'directorCurp',
        'curp',
        'newCurp',
        'previousCurp',
        'tipo',
        'localPart',
        'motivo',
        'at',
        'type',
        'actor',
      ),
      fieldValue(
        fc.constantFrom(
          '11111111-1111-4111-a111-111111111111',
          CCT,
          'GUOD800202MCMMCL13',
          'servicio',
          'centro_trabajo',
          'becas.estatales',
        ),
      ),
      { maxKeys: 5 },
    ),
  };
  const pageEvent = {
    evento: event.tipo,
    version: event.version,
    cuentaId: fc.constantFrom('11111111-1111-4111-a111-111111111111'),
    cct: fc.constant(CCT),
    directorCurp: curp,
    tipo: fc.constantFrom('servicio', 'funcion'),
    curp,
    localPart: fc.constantFrom('becas.estatales'),
    newCurp: curp,
    motivo: fc.constantFrom('Registrado por error'),
    _buscar: fc.constantFrom('1'),
    _usar: fc.constantFrom('{"cuentaId":"11111111-1111-4111-a111-111111111111"}', '{"__proto__":{"x":1}}', '[', 'null'),
    buscarCuenta: fc.constantFrom('06dpr', 'x'),
  };
  const oficio = {
    procedimiento: fc.constantFrom(...LETTER_PROCEDURES),
    numeroOficio: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `DEP/${s}/2026`),
    fechaOficio: fc.constantFrom('2026-11-20', '2026-13-45'),
    remitenteNombre: fc.constantFrom('Profr. José Ángel Núñez Ceballos'),
    remitenteCargo: fc.constantFrom('Director'),
    nivel: fc.constantFrom('PRIMARIA', 'SECUNDARIA'),
    area: fc.constantFrom('Dirección de Becas'),
    responsableId: fc.constantFrom(w.ids.becas, '00000000-0000-0000-0000-000000000000'),
    asunto: fc.constantFrom('Solicitud de cuenta'),
    cct: fc.constantFrom(CCT, '06DPR0001A'),
    curps: fc.constantFrom('GUOD800202MCMMCL13, PEXR800303MCMXCC07'),
    ccts: fc.constantFrom(CCT),
    cuentas: fc.constantFrom('06dpr0457k@colima.gob.mx'),
    fojas: fc.constantFrom('2', '0', '5001'),
    anexos: fc.constantFrom('Copia del nombramiento'),
    recibidoEn: fc.constantFrom('2026-11-28T11:05:00-06:00', '2026-11-28T25:00:00Z'),
    confirmarDuplicado: fc.constantFrom('true', 'false', 'quizá'),
  };
  const identify = {
    curp: fc.constantFrom(w.worker.curp, 'GUOD800202MCMMCL13'),
    curt: fc.constantFrom(w.worker.curt, 'CURT999999'),
  };
  return {
    'POST /api/auth/login': { as: 'anonimo', encoding: 'json', fields: login_ },
    'POST /api/auth/logout': { as: 'sistemas', encoding: 'json', fields: {}, freshSession: true },
    'POST /api/auth/contrasena': {
      as: 'cambio',
      encoding: 'json',
      fields: { actual: fc.constant(STAFF_PASSWORD), nueva: newPassword },
      freshSession: true,
      after: restorePassword,
    },
    'POST /api/admin/usuarios': { as: 'admin', encoding: 'json', fields: user },
    'POST /api/admin/usuarios/:id/restablecer': {
      as: 'admin',
      encoding: 'json',
      fields: {},
      params: () => ({ id: w.victimaId }),
    },
    'POST /api/admin/usuarios/:id/desactivar': {
      as: 'admin',
      encoding: 'json',
      fields: {},
      params: () => ({ id: w.victimaId }),
    },
    'POST /api/tramites': {
      as: 'sistemas',
      encoding: 'json',
      fields: {
        procedimiento: fc.constantFrom('personal-alta', 'cuenta-bloquear', 'centro-trabajo-restablecer', 'no-existe'),
        datos: event.datos,
      },
    },
    'POST /api/tramites/:id/eventos': {
      as: 'sistemas',
      encoding: 'json',
      fields: event,
      params: () => ({ id: w.piiCaseId }),
    },
    'POST /api/tramites/eventos': {
      as: 'sistemas',
      encoding: 'json',
      fields: {
        tipo: event.tipo,
        tramites: fc.constantFrom(
          [{ id: w.piiCaseId, version: 1 }],
          [{ id: 'no-es-un-id', version: 1 }],
          [{ id: w.piiCaseId }],
          [],
          'todos',
        ),
        datos: event.datos,
      },
    },
    'POST /api/tareas/:id/tomar': {
      as: 'primaria',
      encoding: 'json',
      fields: {},
      params: () => ({ id: w.nivelCase.taskId }),
      after: untake,
    },
    'POST /api/tareas/:id/liberar': {
      as: 'primaria',
      encoding: 'json',
      fields: {},
      params: () => ({ id: w.nivelCase.taskId }),
      after: untake,
    },
    'POST /activar/:token': {
      as: 'anonimo',
      encoding: 'form',
      fields: { contrasena: newPassword, confirmacion: newPassword },
      params: () => ({ token: w.activationToken }),
    },
    'POST /api/oficios': { as: 'oficialia', encoding: 'multipart', fields: oficio },
    'POST /api/oficios/:id/cancelar': {
      as: 'oficialia',
      encoding: 'json',
      fields: { motivo: fc.constantFrom('Registrado por error') },
      params: () => ({ id: w.becasCase.oficioId }),
    },
    'POST /verificar/:code': {
      as: 'anonimo',
      encoding: 'multipart',
      fields: {},
      params: () => ({ code: w.nivelCase.replyCode }),
    },
    'POST /api/autoservicio/alta': { as: 'anonimo', encoding: 'json', fields: identify },
    'POST /api/autoservicio/restablecer': { as: 'anonimo', encoding: 'json', fields: identify },
    'POST /api/autoservicio/tramites/:id/identificar': {
      as: 'anonimo',
      encoding: 'json',
      fields: { ...identify, token: fc.constant(w.worker.token) },
      params: () => ({ id: w.worker.caseId }),
    },
    'POST /api/autoservicio/tramites/:id/confirmar': {
      as: 'anonimo',
      encoding: 'json',
      fields: { token: fc.constant(w.worker.token), confirma: fc.boolean() },
      params: () => ({ id: w.worker.caseId }),
    },
    'POST /correo/alta': { as: 'anonimo', encoding: 'form', fields: identify },
    'POST /correo/restablecer': { as: 'anonimo', encoding: 'form', fields: identify },
    'POST /correo/tramite/:id/identificar': {
      as: 'anonimo',
      encoding: 'form',
      fields: { ...identify, token: fc.constant(w.worker.token) },
      params: () => ({ id: w.worker.caseId }),
    },
    'POST /correo/tramite/:id/confirmar': {
      as: 'anonimo',
      encoding: 'form',
      fields: { token: fc.constant(w.worker.token), confirma: fc.constantFrom('si', 'no') },
      params: () => ({ id: w.worker.caseId }),
    },
    'POST /api/pii/centros/:cct/restablecer-contrasena': {
      as: 'pii',
      encoding: 'json',
      fields: { contrasena: newPassword, canal: fc.constantFrom('pii', 'portal', 'fax') },
      params: () => ({ cct: CCT }),
    },
    'POST /personal/entrar': {
      as: 'anonimo',
      encoding: 'form',
      fields: { ...login_, siguiente: fc.constantFrom('/bandeja', '//malo.example', 'javascript:alert(1)') },
      signInForm: true,
    },
    'POST /personal/salir': { as: 'sistemas', encoding: 'form', fields: {}, freshSession: true },
    'POST /personal/contrasena': {
      as: 'cambio',
      encoding: 'form',
      fields: { actual: fc.constant(STAFF_PASSWORD), nueva: newPassword, confirmacion: newPassword },
      freshSession: true,
      after: restorePassword,
    },
    'POST /bandeja/lote': {
      as: 'sistemas',
      encoding: 'form',
      fields: {
        tipo: fc.constantFrom('TURNAR', 'CANCELAR', '', '<b>'),
        ids: fc.constantFrom(`${w.piiCaseId}:1`, 'x:y', '', `${w.piiCaseId}`),
        volver: fc.constantFrom('paso=x', '%%%'),
      },
    },
    'POST /bandeja/tareas/:id/tomar': {
      as: 'primaria',
      encoding: 'form',
      fields: { volver: fc.constantFrom('procedimiento=x&vencidas=true', '%%%', 'aviso=<b>') },
      params: () => ({ id: w.nivelCase.taskId }),
      after: untake,
    },
    'POST /bandeja/tareas/:id/liberar': {
      as: 'primaria',
      encoding: 'form',
      fields: { volver: fc.constantFrom('procedimiento=x') },
      params: () => ({ id: w.nivelCase.taskId }),
      after: untake,
    },
    'POST /tramites/:id/acciones': {
      as: 'sistemas',
      encoding: 'form',
      fields: pageEvent,
      params: () => ({ id: w.piiCaseId }),
    },
    'POST /oficios/nuevo': {
      as: 'oficialia',
      encoding: 'multipart',
      fields: {
        ...oficio,
        archivoClave: fc.constantFrom('x'),
        archivoNombre: fc.constantFrom('a.pdf'),
        archivoFirma: fc.constantFrom('y'),
      },
    },
    'POST /admin/usuarios': { as: 'admin', encoding: 'form', fields: user },
    'POST /admin/usuarios/:id/restablecer': {
      as: 'admin',
      encoding: 'form',
      fields: {},
      params: () => ({ id: w.victimaId }),
    },
    'POST /admin/usuarios/:id/desactivar': {
      as: 'admin',
      encoding: 'form',
      fields: {},
      params: () => ({ id: w.victimaId }),
    },
    'POST /admin/calendario': {
      as: 'admin',
      encoding: 'form',
      fields: {
        anio: fc.constantFrom('2033', '33'),
        desde: fc.constantFrom('2033-11-02', '2033-02-30', '2033-11-05'),
        hasta: fc.constantFrom('', '2033-11-04', '2033-01-01'),
        descripcion: fc.constantFrom('Día de Muertos', 'x'),
      },
    },
    'POST /admin/calendario/:fecha/eliminar': {
      as: 'admin',
      encoding: 'form',
      fields: {},
      params: () => ({ fecha: '2033-11-02' }),
    },
    'POST /admin/importaciones': {
      as: 'admin',
      encoding: 'multipart',
      fields: {
        catalogo: fc.constantFrom('trabajadores', 'centros', 'alumnos'),
        modo: fc.constantFrom('full', 'partial', 'x'),
      },
      // A started import runs in the background: let it end before the next input compares the database.
      after: (_w, t) => t.app.get(CatalogImportJobs).idle(),
    },
    'POST /admin/membrete': { as: 'admin', encoding: 'multipart', fields: letterhead },
    'POST /admin/membrete/vista-previa': { as: 'admin', encoding: 'multipart', fields: letterhead },
    'POST /conciliacion/aceptar': {
      as: 'sistemas',
      encoding: 'form',
      fields: { ids: fc.constantFrom('', 'x', '<b>', '6f1c2f7e-0000-4000-8000-00000000f1d0', `${w.piiCaseId}`) },
    },
    'POST /conciliacion/:id/aceptar': {
      as: 'sistemas',
      encoding: 'form',
      fields: {},
      params: () => ({ id: '6f1c2f7e-0000-4000-8000-00000000f1d0' }),
    },
    'POST /conciliacion/:id/rechazar': {
      as: 'sistemas',
      encoding: 'form',
      fields: { motivo: fc.constantFrom('', 'ab', '   ', 'No corresponde', '<script>x</script>', 'x'.repeat(600)) },
      params: () => ({ id: '6f1c2f7e-0000-4000-8000-00000000f1d0' }),
    },
    'POST /conciliacion/conciliar': { as: 'sistemas', encoding: 'form', fields: {} },
    // An accepted input starts a directory run in the background: waited for, or it writes during the next input.
    'POST /conciliacion/directorio': {
      as: 'sistemas',
      encoding: 'form',
      fields: {},
      after: (_w, t) => t.app.get(DirectoryReconciliation).whenIdle(),
    },
    'POST /admin/importaciones/:id/decision': {
      as: 'admin',
      encoding: 'form',
      fields: { decision: fc.constantFrom('confirmar', 'parcial', 'x') },
      params: () => ({ id: '6f1c2f7e-0000-4000-8000-000000000001' }),
    },
  };
};

// ---- the suite ------------------------------------------------------------------------------------------------

describe.each<Dialect>(['sqlite', 'mysql'])('bad input: every route with a body, fuzzed (%s)', (dialect) => {
  let t: FaultApp;
  let w: World;
  let pdf: Buffer;
  const dump = new LogCapture();
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await faultApp(
      dialect,
      { RELAY_INTERVAL_MS: '60000', PII_API_KEY: PII_KEY, ...(process.env.FUZZ_DUMP ? { LOG_LEVEL: 'error' } : {}) },
      process.env.FUZZ_DUMP ? dump : undefined,
    );
    w = await buildWorld(t.app, t.db.dataSource, t.db.dataDir);
    await createStaff(t.db.dataSource, 'cambio', 'subjefatura');
    pdf = await scannedOficio('Oficio escaneado (fuzz).');
    // Nothing runs in the background while the fuzzer compares the database before and after each request: the
    // relay and the periodic jobs would write on their own. (Accepted inputs leave their jobs in the outbox.)
    const runtime = t.app.get(QueueRuntime);
    jest.spyOn(runtime, 'relayOnce').mockResolvedValue(0);
    jest.spyOn(runtime, 'periodic').mockResolvedValue(undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('has fuzz fields for every route that takes a body', () => {
    const table = rows(w);
    const withBody = routeTable(t.app)
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
      .map(routeKey);
    expect(withBody.length).toBeGreaterThan(25);
    expect({
      sinFila: withBody.filter((r) => !table[r]),
      filaSinRuta: Object.keys(table).filter((r) => !withBody.includes(r)),
    }).toEqual({ sinFila: [], filaSinRuta: [] });
  });

  // Found by this fuzzer: multer leaves the first of two files on the request, without its bytes, when it refuses
  // the second; the page then read `buffer` of undefined (500). The API already answered 400.
  it('answers two scans in «archivo» on the registration page with its form and a 400, as the API does', async () => {
    const csrf = t.app.get(CsrfTokens).tokenFor(w.tok.oficialia);
    const two = (r: request.Test): request.Test =>
      r
        .attach('archivo', pdf, { filename: 'a.pdf', contentType: 'application/pdf' })
        .attach('archivo', pdf, { filename: 'b.pdf', contentType: 'application/pdf' });
    const before = await dbState(t.db.dataSource);
    const page = await two(
      http()
        .post('/oficios/nuevo')
        .set('Cookie', `${SESSION_COOKIE}=${w.tok.oficialia}`)
        .field('_csrf', csrf)
        .field('asunto', 'Solicitud'),
    );
    // Beside the file field, in the page's words.
    expect({
      status: page.status,
      error: /id="f-archivo-error">(?:<span[^>]*>[^<]*<\/span>)?([^<]*)/.exec(page.text)?.[1],
    }).toEqual({
      status: 400,
      error: 'Elija un solo archivo: el oficio escaneado.',
    });
    const api = await two(
      http().post('/api/oficios').set('Authorization', `Bearer ${w.tok.oficialia}`).field('asunto', 'Solicitud'),
    );
    expect({ status: api.status, error: api.body.error }).toEqual({ status: 400, error: 'ARCHIVO_INVALIDO' });
    expect(changedTables(before, await dbState(t.db.dataSource))).toEqual([]);
  });

  it(
    'answers every input below 500, a refusal in Spanish, and a refused input writes nothing',
    async () => {
      const table = rows(w);
      const csrf = t.app.get(CsrfTokens);
      const ds = t.db.dataSource;
      const failures: string[] = [];
      let tried = 0;
      let refused = 0;
      let state = await dbState(ds);
      // FUZZ_ROUTE=/oficios/nuevo: only the routes whose path contains it (to chase one finding with more runs).
      for (const route of routeTable(t.app).filter(
        (r) => table[routeKey(r)] && r.path.includes(process.env.FUZZ_ROUTE ?? ''),
      )) {
        const row = table[routeKey(route)];
        const params = row.params?.(w) ?? {};
        const path = route.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k]));
        const api = path.startsWith('/api/');
        let sessionToken =
          row.as === 'anonimo' || row.as === 'pii' ? undefined : row.as === 'cambio' ? undefined : w.tok[row.as];
        await fc.assert(
          fc.asyncProperty(inputFor(row), async (input) => {
            if (row.freshSession) {
              sessionToken = await login(t.app, row.as === 'cambio' ? 'cambio' : row.as);
              state = await dbState(ds);
            }
            let req = http()
              .post(path)
              .redirects(0)
              .set('X-Forwarded-For', addressFor(tried))
              .set('Accept', api ? 'application/json' : 'text/html');
            if (row.as === 'pii') req = req.set('X-Api-Key', PII_KEY);
            const pairs: Pairs = input.body.kind === 'pairs' ? [...input.body.pairs] : [];
            let cookies: string[] = [];
            if (sessionToken) {
              if (api) req = req.set('Authorization', `Bearer ${sessionToken}`);
              else cookies.push(`${SESSION_COOKIE}=${sessionToken}`);
              if (!api && input.csrf !== 'falta')
                pairs.unshift(['_csrf', input.csrf === 'bueno' ? csrf.tokenFor(sessionToken) : 'x'.repeat(43)]);
            }
            if (row.signInForm) {
              const form = await http().get('/personal/entrar');
              cookies = [
                ...cookies,
                ...((form.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map((c) => c.split(';')[0]),
              ];
              if (input.csrf !== 'falta')
                pairs.unshift([
                  '_csrf',
                  input.csrf === 'bueno' ? (/name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '') : 'x',
                ]);
            }
            if (cookies.length) req = req.set('Cookie', cookies.join('; '));
            // The version of the case as it is now, where the input asks for it: the event then reaches the machine.
            const version = (await ds.getRepository(ProcedureCase).findOneBy({ id: params.id ?? '' }))?.version ?? 1;
            const current = (v: unknown): unknown => (v === '§version§' ? (api ? version : String(version)) : v);
            const body: Body =
              input.body.kind === 'pairs'
                ? { kind: 'pairs', pairs: pairs.map(([k, v]) => [k, current(v)]) }
                : input.body;
            let res: request.Response;
            if (input.encoding === 'json') res = await req.set('Content-Type', 'application/json').send(jsonText(body));
            else if (input.encoding === 'form')
              res = await req.set('Content-Type', 'application/x-www-form-urlencoded').send(formText(body));
            else if (input.encoding === 'text') res = await req.set('Content-Type', 'text/plain').send(jsonText(body));
            else {
              const m = multipart(body.kind === 'pairs' ? body.pairs : [['valor', body.json]], input.file, pdf);
              res = await req.set('Content-Type', m.type).send(m.data);
            }
            tried++;
            const what = `${route.method} ${route.path} ${input.encoding} ${JSON.stringify(input.body).slice(0, 300)}`;
            if (res.status >= 500 || res.status < 200) {
              failures.push(`${what} → ${res.status} ${res.text.slice(0, 300)}`);
              if (process.env.FUZZ_DUMP)
                console.log(
                  JSON.stringify(input),
                  dump.lines
                    .filter((l) => l.includes('"level":50'))
                    .join('\n')
                    .slice(-3000),
                );
              state = await dbState(ds);
              return;
            }
            if (res.status >= 400) {
              refused++;
              const html = /^text\/html/.test(String(res.headers['content-type']));
              if (api || !html) {
                const body = res.body as { mensaje?: unknown };
                if (!readsSpanish(body?.mensaje))
                  failures.push(`${what} → ${res.status} sin mensaje en español: ${res.text.slice(0, 200)}`);
              } else if (
                !res.text.includes('lang="es-MX"') ||
                /Bad Request|Internal Server Error|Cannot POST/.test(res.text)
              ) {
                failures.push(`${what} → ${res.status} página sin es-MX: ${res.text.slice(0, 200)}`);
              }
              const after = await dbState(ds);
              // The registration page keeps a refused form's scan for the clerk's next try (the page carries its signed
              // key): the store holds it until the sweep's grace passes, as it held the file on disk. Nothing else.
              const keptScan = html && /name="archivoClave" value="[0-9a-f]{2}\/[0-9a-f]{64}"/.test(res.text);
              const changed = changedTables(state, after).filter(
                (table) => !(keptScan && (table === 'stored_file' || table === 'stored_file_chunk')),
              );
              if (changed.length)
                failures.push(`${what} → ${res.status} rechazada, pero escribió en: ${changed.join(', ')}`);
              state = after;
            } else {
              await row.after?.(w, t);
              state = await dbState(ds);
            }
          }),
          { numRuns: RUNS, seed: SEED + tried, endOnFailure: true },
        );
      }
      reportFigures(`entradas malas (${dialect})`, {
        entradas: tried,
        rutas: Object.keys(table).length,
        semilla: SEED,
        rechazadas_4xx: refused,
        aceptadas: tried - refused - failures.length,
        fallas: failures.length,
      });
      expect(failures).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

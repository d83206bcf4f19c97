/**
 * Access, role × route: every route the application answers (read from its router at run time, API and pages) is
 * called by every kind of principal — anonymous, each staff role, a Nivel of another level, another responsable, a
 * worker with their self-service token, the PII with its key — on real cases and documents addressed to one Nivel
 * (PRIMARIA) and one responsable (Becas). The table below says, for each route, what each principal gets; a route
 * the router has and the table does not fails the suite by name, and so does a row for a route that is gone.
 *
 * Outcomes: 'ok' = 2xx, or a redirect anywhere but the sign-in page; 'entrar' = the page sends the browser to sign in
 * (303 to /personal/entrar); a number = that exact 4xx status. A 5xx is never expected.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { In } from 'typeorm';
import { Task } from '../../src/engine/entities/task.entity';
import { DirectoryReconciliation } from '../../src/provisioning/directory-reconciliation';
import { addWorker } from '../support/pipeline';
import { login } from '../support/staff';
import { TEST_DIALECT } from '../support/test-db';
import { addressFor, type FaultApp, faultApp, routeKey, routeTable } from './support';
import { buildWorld, PII_KEY, type StaffName, type World } from './world';
import { reportFigures } from './report';

const PRINCIPALS = [
  'anonimo',
  'subdireccion',
  'subjefatura',
  'administrador',
  'nivel',
  'nivelOtro',
  'responsable',
  'responsableOtro',
  'trabajador',
  'pii',
] as const;
type Principal = (typeof PRINCIPALS)[number];
const STAFF_OF: Partial<Record<Principal, StaffName>> = {
  subdireccion: 'oficialia',
  subjefatura: 'sistemas',
  administrador: 'admin',
  nivel: 'primaria',
  nivelOtro: 'secundaria',
  responsable: 'becas',
  responsableOtro: 'deportes',
};

type Outcome = 'ok' | 'entrar' | 400 | 401 | 403 | 404 | 409 | 410 | 415 | 422;
/** A row's expectations: a principal's own, else `staff` for the seven staff principals, else `resto`. */
type Spec = Partial<Record<Principal | 'staff' | 'resto', Outcome>>;

interface Variant {
  /** What the route is called on, for messages. */
  on: string;
  params?: (w: World, x: Extra) => Record<string, string>;
  query?: Record<string, string>;
  /** JSON body (API) or form fields (pages). */
  body?: (w: World, x: Extra) => Record<string, unknown>;
  expect: Spec;
}

interface Row {
  variants: Variant[];
  /** Puts back what a cell changed, so the next principal meets the same state (a task taken). */
  after?: (w: World, t: FaultApp) => Promise<unknown>;
  /** The call ends the session it is made with (logout): each staff principal gets a fresh one. */
  freshSession?: boolean;
  /** The sign-in form: first its GET, for the pre-session cookie and the form token bound to it. */
  signInForm?: boolean;
}

/** Self-service cases only this suite uses: a confirmation ends them. */
interface Extra {
  confirmApi: { caseId: string; token: string };
  confirmPage: { caseId: string; token: string };
}

/** A reconciliation finding id nobody has. */
const NO_FINDING = '6f1c2f7e-0000-4000-8000-00000000f1d0';
const PUBLIC: Spec = { resto: 'ok' };
const ANY_STAFF: Spec = { staff: 'ok', resto: 401 };
const ANY_STAFF_PAGE: Spec = { staff: 'ok', resto: 'entrar' };
/** Roles that work every case. */
const WORKERS_OF_CASES = { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok' } as const;
const one = (expect: Spec, extra: Omit<Variant, 'expect' | 'on'> = {}): Row => ({
  variants: [{ on: '-', expect, ...extra }],
});

/** A case (or its oficio, task, document) addressed to the Nivel PRIMARIA, to the responsable of Becas, or to neither. */
const scoped = (
  read: (w: World, which: 'nivel' | 'becas' | 'pii' | 'worker') => Record<string, string>,
  base: Spec,
  opts: { body?: Variant['body']; which?: ('nivel' | 'becas' | 'pii' | 'worker')[] } = {},
): Row => ({
  variants: (opts.which ?? ['nivel', 'becas', 'pii', 'worker']).map((which) => ({
    on: which,
    params: (w: World) => read(w, which),
    body: opts.body,
    expect: {
      ...base,
      // Only what is addressed to them; anything else is, for them, something that does not exist.
      nivel: which === 'nivel' ? (base.nivel ?? 'ok') : 404,
      nivelOtro: 404,
      responsable: which === 'becas' ? (base.responsable ?? 'ok') : 404,
      responsableOtro: 404,
    },
  })),
});
const caseOf = (w: World, which: 'nivel' | 'becas' | 'pii' | 'worker'): string =>
  which === 'nivel'
    ? w.nivelCase.caseId
    : which === 'becas'
      ? w.becasCase.caseId
      : which === 'pii'
        ? w.piiCaseId
        : w.worker.caseId;

/** The task of each oficio case back in its role's inbox, taken by nobody. */
const untake = (w: World, t: FaultApp): Promise<unknown> =>
  t.db.dataSource
    .getRepository(Task)
    .update({ id: In([w.nivelCase.taskId, w.becasCase.taskId]) }, { assigneeId: null });
const untaken = (row: Row): Row => ({ ...row, after: untake });

const SIGN_IN_BODY = { usuario: 'nadie', contrasena: 'no-es-la-contrasena' };

/**
 * THE TABLE. One row per route of the router. Reading it: who may reach what. Staff principals call /api routes with
 * their Bearer token and pages with the session cookie (and the form token on a POST); the worker sends their case
 * token (as ?token=, in the body and as a Bearer token); the PII sends X-Api-Key (and its key as a Bearer token).
 */
const TABLE: Record<string, Row> = {
  // OpenAPI (public documentation of the API).
  'GET /api/docs': one(PUBLIC),
  'GET /api/docs/': one(PUBLIC),
  'GET /api/docs/index.html': one(PUBLIC),
  'GET /api/docs/swagger-ui-init.js': one(PUBLIC),
  'GET /api/docs/docs/swagger-ui-init.js': one(PUBLIC),
  // swagger-ui's route for a LICENSE file its package does not ship: a 404 for everyone.
  'GET /api/docs/LICENSE': one({ resto: 404 }),
  'GET /api/docs-json': one(PUBLIC),
  'GET /api/docs-yaml': one(PUBLIC),
  // Load balancer (readiness) and process supervisor (liveness); the detailed report is for administrators.
  'GET /health': one(PUBLIC),
  'GET /health/vivo': one(PUBLIC),
  'GET /api/admin/salud': one({ administrador: 'ok', staff: 403, resto: 401 }),
  // Prometheus only, with METRICS_TOKEN: not a session, an API key or a case token.
  'GET /metrics': one({ resto: 401 }),

  // Staff session.
  'POST /api/auth/login': one({ resto: 401 }, { body: () => SIGN_IN_BODY }),
  'POST /api/auth/logout': { ...one({ staff: 'ok', resto: 401 }), freshSession: true },
  'GET /api/auth/yo': one(ANY_STAFF),
  'POST /api/auth/contrasena': one({ staff: 400, resto: 401 }),

  // Administration of staff users.
  'GET /api/admin/usuarios': one({ administrador: 'ok', staff: 403, resto: 401 }),
  'POST /api/admin/usuarios': one({ administrador: 400, staff: 403, resto: 401 }),
  'POST /api/admin/usuarios/:id/restablecer': one(
    { administrador: 'ok', staff: 403, resto: 401 },
    { params: (w) => ({ id: w.victimaId }) },
  ),
  'POST /api/admin/usuarios/:id/desactivar': one(
    { administrador: 'ok', staff: 403, resto: 401 },
    { params: (w) => ({ id: w.victimaId }) },
  ),

  // Cases (deny by default for Nivel and responsable: 404 for what is not addressed to them).
  'POST /api/tramites': one({ staff: 400, resto: 401 }),
  'GET /api/tramites/:id': scoped((w, x) => ({ id: caseOf(w, x) }), { ...WORKERS_OF_CASES, resto: 401 }),
  'GET /api/tramites/:id/movimientos': scoped((w, x) => ({ id: caseOf(w, x) }), { ...WORKERS_OF_CASES, resto: 401 }),
  'GET /api/tramites/:id/diagrama.svg': scoped((w, x) => ({ id: caseOf(w, x) }), { ...WORKERS_OF_CASES, resto: 401 }),
  // A stale version: whoever may see the case hears 409 (it changed since version 1); whoever may not, 404.
  'POST /api/tramites/:id/eventos': scoped(
    (w, x) => ({ id: caseOf(w, x) }),
    { subdireccion: 409, subjefatura: 409, administrador: 409, nivel: 409, responsable: 409, resto: 401 },
    {
      body: () => ({ tipo: 'ACUSAR_RECIBO', version: 1 }),
      which: ['nivel', 'becas'],
    },
  ),
  // One act on many cases: the request is every staff member's; each case answers in the body as on the route above.
  'POST /api/tramites/eventos': one(
    { staff: 'ok', resto: 401 },
    { body: (w) => ({ tipo: 'ACUSAR_RECIBO', tramites: [{ id: w.nivelCase.caseId, version: 1 }] }) },
  ),
  'GET /api/procedimientos': one(ANY_STAFF),
  'GET /api/procedimientos/:id/diagrama.svg': one(ANY_STAFF, { params: () => ({ id: 'cuenta-bloquear' }) }),
  // An administrator has no inbox of its own: 400 telling them to name a role («rol»).
  'GET /api/bandeja': one({ administrador: 400, staff: 'ok', resto: 401 }),
  // A task of the Nivel's or the responsable's role: theirs, and an administrator's; nobody else sees it.
  'POST /api/tareas/:id/tomar': untaken(
    scoped(
      (w, x) => ({ id: x === 'nivel' ? w.nivelCase.taskId : w.becasCase.taskId }),
      { subdireccion: 404, subjefatura: 404, administrador: 'ok', resto: 401 },
      { which: ['nivel', 'becas'] },
    ),
  ),
  'POST /api/tareas/:id/liberar': untaken(
    scoped(
      (w, x) => ({ id: x === 'nivel' ? w.nivelCase.taskId : w.becasCase.taskId }),
      { subdireccion: 404, subjefatura: 404, administrador: 'ok', resto: 401 },
      { which: ['nivel', 'becas'] },
    ),
  ),

  // Oficios and documents.
  // An administrator passes the route's guard (as on every role route) and meets the validation first; with a valid
  // body the registration itself refuses any role but the Subdirección (OficiosService.register).
  'POST /api/oficios': one({ subdireccion: 400, administrador: 400, staff: 403, resto: 401 }),
  'GET /api/oficios': one({ subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 }),
  'GET /api/oficios/:id': one(
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { params: (w) => ({ id: w.nivelCase.oficioId }) },
  ),
  'GET /api/oficios/:id/lineas': one(
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { params: (w) => ({ id: w.nivelCase.oficioId }) },
  ),
  'POST /api/oficios/:id/cancelar': one(
    { subdireccion: 400, administrador: 400, staff: 403, resto: 401 },
    { params: (w) => ({ id: w.nivelCase.oficioId }) },
  ),
  // The reply letter: the Subdirección, the Subjefatura and its addressee; an administrator is not among them.
  'GET /api/oficios/:id/respuesta': scoped(
    (w, x) => ({ id: x === 'nivel' ? w.nivelCase.oficioId : w.becasCase.oficioId }),
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 404, resto: 401 },
    { which: ['nivel', 'becas'] },
  ),
  'GET /api/documentos/:id/pdf': scoped(
    (w, x) => ({ id: x === 'nivel' ? w.nivelCase.replyId : w.becasCase.replyId }),
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 404, resto: 401 },
    { which: ['nivel', 'becas'] },
  ),
  // Public verification of a signed document (the QR).
  'GET /verificar/:code': one(PUBLIC, { params: (w) => ({ code: w.nivelCase.replyCode }) }),
  'POST /verificar/:code': one({ resto: 400 }, { params: (w) => ({ code: w.nivelCase.replyCode }) }),
  'GET /v/:code': one(PUBLIC, { params: (w) => ({ code: w.nivelCase.replyCode }) }),
  'GET /api/verificar/:code': one(PUBLIC, { params: (w) => ({ code: w.nivelCase.replyCode }) }),
  'GET /verificar/:code/bitacora.json': one(PUBLIC, { params: (w) => ({ code: w.nivelCase.replyCode }) }),
  // The movement log's signed heads and proofs: public like a Certificate Transparency log (hashes only).
  'GET /api/bitacora/cabeza': one(PUBLIC),
  'GET /api/bitacora/consistencia': one({ resto: 400 }),
  'GET /api/bitacora/certificado': one({ resto: 400 }),

  // The holder's single-use link (the token is the credential): an empty password is refused on the page.
  'GET /activar/:token': one(PUBLIC, { params: (w) => ({ token: w.activationToken }) }),
  'POST /activar/:token': one({ resto: 400 }, { params: (w) => ({ token: w.activationToken }) }),

  // Worker self-service: CURP + CURT, then the case token.
  'POST /api/autoservicio/alta': one({ resto: 400 }),
  'POST /api/autoservicio/restablecer': one({ resto: 400 }),
  'POST /api/autoservicio/tramites/:id/identificar': one(
    { trabajador: 409, resto: 400 },
    { params: (w) => ({ id: w.worker.caseId }), body: (w) => ({ curp: w.worker.curp, curt: w.worker.curt }) },
  ),
  'POST /api/autoservicio/tramites/:id/confirmar': one(
    { trabajador: 'ok', resto: 400 },
    { params: (_w, x) => ({ id: x.confirmApi.caseId }), body: () => ({ confirma: false }) },
  ),
  'GET /api/autoservicio/tramites/:id': one(
    { trabajador: 'ok', resto: 400 },
    { params: (w) => ({ id: w.worker.caseId }) },
  ),
  'GET /correo': one(PUBLIC),
  'GET /correo/alta': one(PUBLIC),
  'GET /correo/restablecer': one(PUBLIC),
  'POST /correo/alta': one({ resto: 400 }),
  'POST /correo/restablecer': one({ resto: 400 }),
  'POST /correo/tramite/:id/identificar': one(
    { trabajador: 409, resto: 404 },
    { params: (w) => ({ id: w.worker.caseId }), body: (w) => ({ curp: w.worker.curp, curt: w.worker.curt }) },
  ),
  'POST /correo/tramite/:id/confirmar': one(
    { trabajador: 'ok', resto: 404 },
    { params: (_w, x) => ({ id: x.confirmPage.caseId }), body: () => ({ confirma: 'no' }) },
  ),
  'GET /correo/tramite/:id': one({ trabajador: 'ok', resto: 404 }, { params: (w) => ({ id: w.worker.caseId }) }),

  // The PII's 5.2.2 call (its key); the school already has a request open: 200 with that one, nothing stored.
  'POST /api/pii/centros/:cct/restablecer-contrasena': one(
    { pii: 'ok', resto: 401 },
    { params: () => ({ cct: '06DPR0457K' }), body: () => ({ contrasena: 'otra-frase-que-no-se-guarda-81' }) },
  ),

  // Where the school's requests stand (its key; a school sees only its own: the CCT is the path's).
  'GET /api/pii/centros/:cct/restablecer-contrasena': one(
    { pii: 'ok', resto: 401 },
    { params: () => ({ cct: '06DPR0457K' }) },
  ),
  'GET /api/pii/centros/:cct/restablecer-contrasena/:tramite': one(
    { pii: 'ok', resto: 401 },
    { params: (w) => ({ cct: '06DPR0457K', tramite: w.piiCaseId }) },
  ),

  // Whether an account name is free (the Subjefatura's name forms).
  'GET /api/cuentas/nombre-disponible': one(
    { subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { query: { nombre: 'becas.colima' } },
  ),

  // Catalog searches (the Subjefatura looks workers, schools and accounts up).
  'GET /api/catalogo/trabajadores': one(
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { query: { q: 'Peña' } },
  ),
  'GET /api/catalogo/centros': one(
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { query: { q: '06DPR' } },
  ),
  'GET /api/catalogo/cuentas': one(
    { subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 401 },
    { query: { q: '06dpr' } },
  ),

  // The front door: self-service and staff sign-in.
  'GET /': one(PUBLIC),

  // Staff pages.
  'GET /personal': one(ANY_STAFF_PAGE),
  'GET /personal/entrar': one(PUBLIC),
  'POST /personal/entrar': { ...one({ resto: 401 }, { body: () => SIGN_IN_BODY }), signInForm: true },
  'GET /personal/salir': one(ANY_STAFF_PAGE),
  'POST /personal/salir': { ...one({ staff: 'ok', resto: 'entrar' }), freshSession: true },
  'GET /personal/contrasena': one(ANY_STAFF_PAGE),
  'POST /personal/contrasena': one({ staff: 400, resto: 'entrar' }),
  'GET /personal/recursos/:archivo': one(PUBLIC, { params: () => ({ archivo: 'personal.css' }) }),
  'GET /bandeja': one(ANY_STAFF_PAGE),
  // «Aplicar a las seleccionadas» with nothing selected: 400 in Spanish for every staff member.
  'POST /bandeja/lote': one({ staff: 400, resto: 'entrar' }),
  'POST /bandeja/tareas/:id/tomar': untaken(
    scoped(
      (w, x) => ({ id: x === 'nivel' ? w.nivelCase.taskId : w.becasCase.taskId }),
      { subdireccion: 404, subjefatura: 404, administrador: 'ok', resto: 'entrar' },
      { which: ['nivel', 'becas'] },
    ),
  ),
  'POST /bandeja/tareas/:id/liberar': untaken(
    scoped(
      (w, x) => ({ id: x === 'nivel' ? w.nivelCase.taskId : w.becasCase.taskId }),
      { subdireccion: 404, subjefatura: 404, administrador: 'ok', resto: 'entrar' },
      { which: ['nivel', 'becas'] },
    ),
  ),
  'GET /tramites/:id': scoped((w, x) => ({ id: caseOf(w, x) }), { ...WORKERS_OF_CASES, resto: 'entrar' }),
  // The scanned oficio of a case: whoever may see the case.
  'GET /tramites/:id/oficio': scoped(
    (w, x) => ({ id: caseOf(w, x) }),
    { ...WORKERS_OF_CASES, resto: 'entrar' },
    { which: ['nivel', 'becas'] },
  ),
  'POST /tramites/:id/acciones': scoped(
    (w, x) => ({ id: caseOf(w, x) }),
    { subdireccion: 409, subjefatura: 409, administrador: 409, nivel: 409, responsable: 409, resto: 'entrar' },
    {
      body: () => ({ evento: 'ACUSAR_RECIBO', version: '1' }),
      which: ['nivel', 'becas'],
    },
  ),
  // The register of every staff role: a Nivel and a responsable see only their own oficios («Mis oficios»).
  'GET /oficios': one(ANY_STAFF_PAGE),
  'GET /oficios/nuevo': one({ subdireccion: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  'POST /oficios/nuevo': one({ subdireccion: 400, administrador: 400, staff: 403, resto: 'entrar' }),
  'GET /admin/usuarios': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'POST /admin/usuarios': one({ administrador: 400, staff: 403, resto: 'entrar' }),
  'POST /admin/usuarios/:id/restablecer': one(
    { administrador: 'ok', staff: 403, resto: 'entrar' },
    { params: (w) => ({ id: w.victimaId }) },
  ),
  'POST /admin/usuarios/:id/desactivar': one(
    { administrador: 'ok', staff: 403, resto: 'entrar' },
    { params: (w) => ({ id: w.victimaId }) },
  ),
  'GET /admin/calendario': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'POST /admin/calendario': one({ administrador: 400, staff: 403, resto: 'entrar' }),
  'POST /admin/calendario/:fecha/eliminar': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /admin/membrete': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'POST /admin/membrete': one({ administrador: 400, staff: 403, resto: 'entrar' }),
  'POST /admin/membrete/vista-previa': one({ administrador: 400, staff: 403, resto: 'entrar' }),
  'GET /admin/cuentas': one({ subdireccion: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  'GET /admin/cuentas/:id': one({ subdireccion: 404, administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /admin/trabajadores': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'GET /admin/trabajadores/:curp': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /admin/escuelas': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'GET /admin/escuelas/:cct': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  // Reconciliation review (issue 14): the Subjefatura and administrators only.
  'GET /conciliacion': one({ subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  // Nothing selected: 400 in Spanish.
  'POST /conciliacion/aceptar': one({ subjefatura: 400, administrador: 400, staff: 403, resto: 'entrar' }),
  // A finding that does not exist: the page answers that nothing changed.
  'POST /conciliacion/:id/aceptar': one(
    { subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' },
    { params: () => ({ id: NO_FINDING }) },
  ),
  'POST /conciliacion/:id/rechazar': one(
    { subjefatura: 404, administrador: 404, staff: 403, resto: 'entrar' },
    { params: () => ({ id: NO_FINDING }), body: () => ({ motivo: 'La persona sigue activa en su centro.' }) },
  ),
  'POST /conciliacion/conciliar': one({ subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  // The directory run goes on in the background: each cell waits for it, so the next one may start its own.
  'POST /conciliacion/directorio': {
    ...one({ subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
    after: (_w, t) => t.app.get(DirectoryReconciliation).whenIdle(),
  },
  'GET /admin/importaciones': one({ administrador: 'ok', staff: 403, resto: 'entrar' }),
  'POST /admin/importaciones': one({ administrador: 400, staff: 403, resto: 'entrar' }),
  'GET /admin/importaciones/:id': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /admin/importaciones/:id/estado': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /admin/importaciones/:id/rechazos.csv': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'POST /admin/importaciones/:id/decision': one({ administrador: 404, staff: 403, resto: 'entrar' }),
  'GET /tablero': one({ subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  'GET /tablero/csv': one({ subdireccion: 'ok', subjefatura: 'ok', administrador: 'ok', staff: 403, resto: 'entrar' }),
  'GET /tramites/:id/historial': scoped((w, x) => ({ id: caseOf(w, x) }), { ...WORKERS_OF_CASES, resto: 'entrar' }),
};

const expected = (spec: Spec, p: Principal): Outcome =>
  spec[p] ?? (STAFF_OF[p] ? spec.staff : undefined) ?? spec.resto ?? 'ok';

function outcomeOf(res: request.Response): 'ok' | 'entrar' | number {
  // The sign-in page, coming back afterwards (GET) or not (POST); /personal/entrar?aviso=salida is a sign-out done.
  if (res.status >= 300 && res.status < 400)
    return /^\/personal\/entrar(\?siguiente=[^&]*)?$/.test(res.headers.location ?? '') ? 'entrar' : 'ok';
  if (res.status < 300) return 'ok';
  return res.status;
}

describe(`access: role × route matrix over every route of the router (${TEST_DIALECT})`, () => {
  let t: FaultApp;
  let w: World;
  let x: Extra;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await faultApp(TEST_DIALECT, {
      RELAY_INTERVAL_MS: '60000',
      PII_API_KEY: PII_KEY,
      // Metrics on: no principal holds this token, so every one of them gets 401.
      METRICS_TOKEN: 'token-de-prometheus-que-nadie-tiene-0123',
    });
    w = await buildWorld(t.app, t.db.dataSource, t.db.dataDir);
    // A worker has one open self-service request at a time: each confirmation cell gets a worker of its own.
    const selfCase = async (nombre: string): Promise<{ caseId: string; token: string }> => {
      const other = await addWorker(t.db.dataSource, {
        nombre,
        primerApellido: 'Matriz',
        correoAlterno: `${nombre.toLowerCase()}.matriz@correo-alterno.example`,
      });
      const alta = await http().post('/api/autoservicio/alta').send({ curp: other.curp, curt: other.curt }).expect(200);
      return { caseId: alta.body.tramite as string, token: alta.body.token as string };
    };
    x = { confirmApi: await selfCase('Ana'), confirmPage: await selfCase('Berta') };
  });
  afterAll(async () => t?.close());

  it('has a row for every route of the router, and no row for a route it does not have', () => {
    const routes = routeTable(t.app).map(routeKey);
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes.filter((r) => !TABLE[r]);
    const stale = Object.keys(TABLE).filter((r) => !routes.includes(r));
    expect({ sinFila: missing, filaSinRuta: stale }).toEqual({ sinFila: [], filaSinRuta: [] });
  });

  it('gives every principal, on every route, what the table says', async () => {
    const csrf = t.app.get(CsrfTokens);
    const wrong: string[] = [];
    let cells = 0;
    for (const route of routeTable(t.app)) {
      const row = TABLE[routeKey(route)];
      if (!row) continue; // reported by the test above
      for (const v of row.variants) {
        const params = v.params?.(w, x) ?? {};
        const path = route.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k] ?? `sin-${k}`));
        for (const p of PRINCIPALS) {
          const staff = STAFF_OF[p];
          const api = path.startsWith('/api/');
          const token = staff ? (row.freshSession ? await login(t.app, staff) : w.tok[staff]) : undefined;
          const body: Record<string, unknown> = { ...(v.body?.(w, x) ?? {}) };
          const query: Record<string, string> = { ...(v.query ?? {}) };
          let req = route.method === 'GET' ? http().get(path) : http().post(path);
          if (token && api) req = req.set('Authorization', `Bearer ${token}`);
          if (token && !api) {
            req = req.set('Cookie', `${SESSION_COOKIE}=${token}`);
            if (route.method !== 'GET') body._csrf = csrf.tokenFor(token);
          }
          if (p === 'trabajador') {
            req = req.set('Authorization', `Bearer ${w.worker.token}`);
            const own = path.includes(x.confirmApi.caseId)
              ? x.confirmApi.token
              : path.includes(x.confirmPage.caseId)
                ? x.confirmPage.token
                : w.worker.token;
            query.token = own;
            // In the body only where a self-service form carries it (elsewhere an unknown field is a plain 400).
            if (/^\/(api\/autoservicio\/tramites|correo\/tramite)\//.test(path)) body.token = own;
          }
          if (p === 'pii') req = req.set('X-Api-Key', PII_KEY).set('Authorization', `Bearer ${PII_KEY}`);
          if (row.signInForm) {
            const form = await http().get('/personal/entrar');
            const cookie = ((form.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map(
              (c) => c.split(';')[0],
            );
            req = req.set('Cookie', [...cookie, ...(token ? [`${SESSION_COOKIE}=${token}`] : [])].join('; '));
            body._csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
          }
          // Each cell from its own address: the sign-in limits count per address, and would answer 429 instead.
          req = req.query(query).redirects(0).set('X-Forwarded-For', addressFor(cells));
          if (route.method !== 'GET') req = api ? req.send(body) : req.type('form').send(body);
          const res = await req;
          cells++;
          await row.after?.(w, t);
          const got = outcomeOf(res);
          const want = expected(v.expect, p);
          if (got !== want)
            wrong.push(
              `${route.method} ${route.path} [${v.on}] ${p}: se esperaba ${want}, respondió ${res.status}${res.headers.location ? ` → ${res.headers.location}` : ''} ${JSON.stringify(res.body?.error ?? res.text?.slice(0, 80) ?? '')}`,
            );
        }
      }
    }
    reportFigures('matriz de acceso', {
      celdas: cells,
      rutas: routeTable(t.app).length,
      principales: PRINCIPALS.length,
      respuestas_indebidas: wrong.length,
    });
    expect(wrong).toEqual([]);
  });
});

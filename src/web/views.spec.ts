import type { AuthenticatedStaff } from '../auth/auth.service';
import type { ActionVm, CasePageVm } from './case.page';
import { nivelOArea, renderCase } from './case.view';
import type { InboxVm } from './inbox.page';
import { renderInbox } from './inbox.view';
import type { Chrome } from './layout';
import { renderOficioForm, renderOficioList } from './oficios.view';
import { inlineDisposition } from './case.page';
import { renderUsers } from './users.view';

/** Every staff page goes through the template engine: what a person typed comes out as text, never as markup. */
const HOSTILE = '<script>alert("x")</script>';
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';

const staff = {
  id: 'u1',
  usuario: 'sistemas',
  nombre: `Jorge ${HOSTILE}`,
  role: 'subjefatura',
  nivelClave: null,
  mustChangePassword: false,
} as unknown as AuthenticatedStaff;
const chrome: Chrome = { staff, csrf: 'token"x', path: '/bandeja' };

const task = {
  id: 't1',
  tramite: 'c1',
  titulo: `Recibir ${HOSTILE}`,
  procedimiento: 'cuenta-bloquear',
  folio: 'SSST-2026-000001',
  vence: '2026-11-28T17:05:00.000Z',
  vencida: true,
  faltaPoco: false,
  prioridad: 'alta',
  nivel: null,
  cct: null,
  curp: 'ROCP800101MCMXXX01',
  rol: 'subjefatura',
  estado: 'abierta',
  asignadaA: 'u2',
};

describe('staff pages (templates/pages)', () => {
  it('inbox: a name, a title and a filter with <script> are escaped by the engine; forms carry the token', () => {
    const vm = {
      filtros: { folio: HOSTILE },
      rol: 'subjefatura',
      esAdmin: false,
      items: [
        { ...task, procedimientoTitulo: 'Bloqueo', seccion: '5.5', asignadaNombre: `Ana ${HOSTILE}`, mia: false },
      ],
      total: 1,
      totalAcotado: false,
      siguiente: 'c2lndWllbnRl',
      anterior: null,
      cursor: {},
      procedimientos: [{ value: 'cuenta-bloquear', label: 'Bloqueo' }],
      pasos: [],
      error: HOSTILE,
      aviso: null,
    } as unknown as InboxVm;
    const html = renderInbox(chrome, vm);
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<span class="nombre">Jorge ${ESCAPED}</span>`);
    expect(html).toContain(`<a class="tarea" href="/tramites/c1">Recibir ${ESCAPED}</a>`);
    expect(html).toContain(`Ana ${ESCAPED}`);
    expect(html).toContain(`<p class="error" role="alert">${ESCAPED}</p>`);
    expect(html).toContain(`id="f-folio" name="folio" value="${ESCAPED}"`);
    expect(html).toContain('<input type="hidden" name="_csrf" value="token&quot;x">');
    // The next page keeps the filter, URL-encoded and then escaped as an attribute (Handlebars writes = as &#x3D;).
    expect(html).toContain(
      'href="/bandeja?folio&#x3D;%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E&amp;despues&#x3D;c2lndWllbnRl" rel="next"',
    );
    expect(html).toContain('Siguiente →');
    expect(html).toContain('1 tarea abierta, la que vence primero arriba.');
    expect(html).toContain('<span class="insignia vencido">Vencido</span>');
  });

  it('case: data, search results and the «Usar» values are escaped; the actions keep their forms and ids', () => {
    const action = (evento: string, kind: ActionVm['kind'], extra: Partial<ActionVm> = {}): ActionVm => ({
      evento,
      etiqueta: `Hacer ${evento}`,
      kind,
      values: {},
      cuentas: null,
      trabajadores: null,
      centros: null,
      avisoBusqueda: null,
      ...extra,
    });
    const vm = {
      caso: {
        id: 'c1',
        procedimiento: 'cuenta-reasignar',
        titulo: 'Reasignación',
        version: 4,
        versionProcedimiento: 1,
        folio: 'SSST-2026-000001',
        estado: 'creacion',
        situacion: 'activo',
        resultado: null,
        incidente: null,
        pasosActuales: [{ no: '3', responsable: 'Subjefatura', actividad: HOSTILE }],
        acciones: [],
        datos: {},
        tareas: [task],
        creado: '2026-11-28T17:05:00.000Z',
        actualizado: '2026-11-28T17:05:00.000Z',
      },
      seccion: '5.4',
      datos: { motivo: HOSTILE, reasignacion: { newCurp: 'X', previousCurp: null } },
      diagrama: 'PHN2Zz48L3N2Zz4=',
      movimientos: [
        {
          seq: 1,
          fecha: '2026-11-28T17:05:00.000Z',
          quien: HOSTILE,
          rol: 'subjefatura',
          accion: 'Recibir',
          pasos: '3:4',
          datos: [['motivo', HOSTILE]],
        },
      ],
      documentos: [],
      oficio: null,
      cuenta: null,
      acciones: [
        action('REASIGNAR', 'reasignar', {
          values: { newCurp: HOSTILE },
          cuentas: [
            {
              id: 'a1',
              direccion: `x${HOSTILE}@colima.gob.mx`,
              tipo: 'servicio',
              estado: 'bloqueada',
              titularCurp: null,
              titularCct: null,
            },
          ],
          trabajadores: [],
        }),
        action('CREAR_CUENTA', 'crear-servicio', {
          values: { localPart: HOSTILE, tipo: 'funcion' },
          trabajadores: [
            { curp: 'ABC"', nombre: HOSTILE, activo: true, tieneCorreoAlterno: false, cct: null, nivel: null },
          ] as unknown as ActionVm['trabajadores'],
        }),
        action('CONFIRMAR', 'boton'),
        action('RECHAZAR', 'motivo'),
      ],
      mailDomain: 'colima.gob.mx',
      enEspera: false,
      error: null,
      aviso: null,
    } as unknown as CasePageVm;
    const html = renderCase(chrome, vm);
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<dt>Motivo</dt><dd>${ESCAPED}</dd>`);
    expect(html).toContain(`id="a-reasignar-newCurp" name="newCurp" value="${ESCAPED}"`);
    expect(html).toContain(
      `<strong>x${ESCAPED}@colima.gob.mx</strong> <span class="insignia vencido">Bloqueada</span>`,
    );
    expect(html).toContain('Ningún trabajador coincide.');
    expect(html).toContain('value="{&quot;curp&quot;:&quot;ABC\\&quot;&quot;}"');
    expect(html).toContain(`name="localPart" value="${ESCAPED}"`);
    expect(html).toContain('<input type="radio" name="tipo" value="funcion" checked>');
    expect(html).toContain(
      '<input type="hidden" name="evento" value="CONFIRMAR"><input type="hidden" name="version" value="4">',
    );
    expect(html).toContain('<details class="accion-secundaria"><summary>Hacer RECHAZAR</summary>');
    expect(html).toContain('<button type="submit" class="peligro">Hacer RECHAZAR</button>');
    expect(html).toContain('<dt>Titular actual</dt><dd>sin titular</dd>');
    expect(html).toContain('src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4&#x3D;"');
  });

  it('oficios and users: form values and list cells are escaped', () => {
    const form = renderOficioForm(chrome, {
      values: { asunto: HOSTILE, numeroOficio: HOSTILE },
      procedimientos: [],
      niveles: [{ value: 'PRIMARIA', label: HOSTILE }],
      responsables: [],
      archivo: { clave: 'k', nombre: HOSTILE, bytes: 2048, firma: 'f' },
      duplicado: true,
      error: null,
      campos: [{ id: 'f-asunto', etiqueta: 'Asunto', mensaje: HOSTILE }],
    });
    expect(form).not.toContain('<script>');
    // The error beside its field, named by the field, and linked from the summary at the top.
    expect(form).toContain(
      `<p class="campo-error" id="f-asunto-error"><span class="oculto">Error: </span>${ESCAPED}</p>` +
        `<textarea id="f-asunto" name="asunto" rows="2" required aria-describedby="f-asunto-error" aria-invalid="true" maxlength="500">${ESCAPED}</textarea>`,
    );
    expect(form).toContain(`<li><a href="#f-asunto">Asunto</a>: ${ESCAPED}</li>`);
    expect(form).toContain('required aria-describedby="f-numeroOficio-ayuda" maxlength="80">');
    expect(form).not.toContain('id="f-numeroOficio-error"');
    expect(form).toContain(`Se conserva el archivo «${ESCAPED}» (2 KB)`);
    expect(form).toContain('id="f-confirmarDuplicado"');
    const list = renderOficioList(chrome, {
      filtros: {},
      cursor: {},
      propios: false,
      items: [
        {
          oficio: {
            tramite: 'c1',
            folio: 'F',
            recibido: { en: '2026-11-28T17:05:00.000Z' },
            numeroOficio: HOSTILE,
            fechaOficio: '2026-11-20',
            remitente: { nombre: HOSTILE, cargo: 'C' },
            area: null,
            asunto: HOSTILE,
            estado: 'cancelado',
          },
          caso: {
            status: 'activo',
            tasks: [
              { title: HOSTILE, candidateRole: 'nivel', nivelClave: 'PRIMARIA', assigneeId: null, dueAt: new Date() },
            ],
          },
          documentos: [
            {
              id: 'd1',
              tipo: 'respuesta',
              numeroOficio: HOSTILE,
              estado: 'vigente',
              firmado: new Date('2026-11-28T17:05:00.000Z'),
              descargas: [{ usuario: 'u1', rol: 'nivel', en: new Date('2026-11-29T17:05:00.000Z') }],
            },
          ],
          acuseRecibo: { usuario: 'u1', en: new Date('2026-11-30T17:05:00.000Z') },
        },
      ],
      nombres: new Map([['u1', HOSTILE]]),
      total: 1,
      totalAcotado: false,
      siguiente: null,
      anterior: null,
      procedimientos: [],
      niveles: [],
      error: null,
    } as never);
    expect(list).not.toContain('<script>');
    expect(list).toContain('<tr class="fila-cancelada">');
    const users = renderUsers(chrome, {
      usuarios: [
        {
          id: 'u9',
          usuario: 'ana',
          nombre: HOSTILE,
          rol: 'nivel',
          rolNombre: 'Nivel',
          nivel: null,
          correo: null,
          activo: true,
          debeCambiarContrasena: true,
        },
      ],
      niveles: [],
      values: { nombre: HOSTILE },
      contrasena: { usuario: 'ana', nombre: HOSTILE, valor: 'secreto<>', nueva: true },
      error: null,
      campos: [],
      aviso: null,
    });
    expect(users).not.toContain('<script>');
    expect(users).toContain('<code class="secreto" id="contrasena-inicial">secreto&lt;&gt;</code>');
    expect(users).toContain('Primer ingreso pendiente');
  });

  it('names an inline file in both forms, with nothing that breaks out of the header', () => {
    expect(inlineDisposition('oficio "Núñez" (1).pdf')).toBe(
      `inline; filename="oficio _Nunez_ (1).pdf"; filename*=UTF-8''oficio%20%22N%C3%BA%C3%B1ez%22%20%281%29.pdf`,
    );
    expect(inlineDisposition('ñ')).toBe(`inline; filename="n"; filename*=UTF-8''%C3%B1`);
  });
});

describe("nivelOArea (the case page's «Nivel o área»)", () => {
  it('names the level once when the area is the level itself, and both when they differ', () => {
    expect(nivelOArea('PRIMARIA', 'Primaria')).toBe('Primaria');
    expect(nivelOArea('PRIMARIA', 'PRIMARIA')).toBe('Primaria');
    expect(nivelOArea('MEDIA_SUPERIOR', 'Media Superior')).toBe('Media Superior');
    expect(nivelOArea('PRIMARIA', 'Departamento de Becas')).toBe('Primaria (Departamento de Becas)');
    expect(nivelOArea('PRIMARIA', null)).toBe('Primaria');
    expect(nivelOArea(null, 'Programa de Becas')).toBe('Programa de Becas');
  });
});

/**
 * Per-render time of the two busiest staff pages, /bandeja and /oficios, with 25 realistic rows each: what a page
 * costs after the service answered (view model → Handlebars → HTML). No database, no HTTP.
 *
 *   node -r ./scripts/register.js test/bench/render-bench.ts [renders]
 *   node --cpu-prof --cpu-prof-dir tmp/prof -r ./scripts/register.js test/bench/render-bench.ts 5000
 *   node -r ./scripts/register.js test/bench/render-bench.ts 100 tmp/html   (also writes bandeja.html, oficios.html)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AuthenticatedStaff } from '../../src/auth/auth.service';
import type { RegisterEntry } from '../../src/oficios/oficio-register.service';
import type { InboxRow, InboxVm } from '../../src/web/inbox.page';
import { renderInbox } from '../../src/web/inbox.view';
import type { Chrome } from '../../src/web/layout';
import type { OficioListVm } from '../../src/web/oficios.page';
import { renderOficioList } from '../../src/web/oficios.view';

const ROWS = 25;
const NOW = new Date('2026-11-20T17:30:00Z');
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);

const chrome: Chrome = {
  staff: { id: 'u-subjefatura-1', usuario: 'sub1', nombre: 'Ana Pérez', role: 'subjefatura' } as AuthenticatedStaff,
  csrf: 'c'.repeat(43),
  path: '/bandeja',
  pendientesEnCurso: Promise.resolve(137),
};

function inboxVm(): InboxVm {
  const items: InboxRow[] = Array.from({ length: ROWS }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tramite: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    procedimiento: 'cuenta-restablecer',
    paso: 'cuenta-restablecer.verificacion',
    titulo: 'Verificar la identidad del solicitante',
    rol: 'subjefatura',
    nivel: i % 3 ? 'PRIMARIA' : null,
    cct: i % 2 ? '06DPR0123X' : null,
    curp: i % 4 ? 'PEGJ800101HCMRRN09' : null,
    folio: `SSST-2026-${String(1000 + i).padStart(6, '0')}`,
    asignadaA: i % 5 === 0 ? 'u-subjefatura-1' : i % 5 === 1 ? 'u-subjefatura-2' : null,
    prioridad: i % 7 === 0 ? 'alta' : 'normal',
    creada: at(-3000 + i).toISOString(),
    vence: at(-60 + i * 90).toISOString(),
    faltaPoco: i % 6 === 1,
    vencida: i < 2,
    estado: 'abierta',
    procedimientoTitulo: 'Restablecimiento de contraseña',
    seccion: 'Cuentas de correo',
    asignadaNombre: i % 5 === 1 ? 'Luis Gómez' : null,
    mia: i % 5 === 0,
  }));
  const procs = ['cuenta-restablecer', 'cuenta-bloquear', 'cuenta-reasignar', 'servicio-alta', 'centro-trabajo-alta'];
  return {
    filtros: { rol: 'subjefatura' },
    rol: 'subjefatura',
    esAdmin: false,
    items,
    total: 1000,
    totalAcotado: true,
    siguiente: 'eyJ2IjoiMjAyNi0xMS0yMFQxNzozMDowMFoifQ',
    anterior: null,
    cursor: {},
    procedimientos: procs.map((p) => ({ value: p, label: `Trámite ${p}` })),
    pasos: procs.flatMap((p) =>
      [1, 2, 3, 4].map((n) => ({
        procedure: p,
        stateId: `${p}.paso${n}`,
        title: `Paso ${n}`,
        procedureTitle: `Trámite ${p}`,
        role: 'subjefatura',
      })),
    ),
    error: null,
    aviso: null,
  };
}

function oficioVm(): OficioListVm {
  const items: RegisterEntry[] = Array.from({ length: ROWS }, (_, i) => ({
    oficio: {
      id: `o-${i}`,
      folio: `SSST-2026-${String(2000 + i).padStart(6, '0')}`,
      estado: i === 3 ? 'cancelado' : 'registrado',
      procedimiento: 'cuenta-restablecer',
      tramite: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      numeroOficio: `DEP/${100 + i}/2026`,
      fechaOficio: '2026-11-18',
      remitente: { nombre: 'Mtra. Rosa María Velasco Núñez', cargo: 'Directora de Educación Primaria' },
      nivel: 'PRIMARIA',
      area: i % 2 ? null : 'Dirección de Educación Primaria',
      responsableId: null,
      asunto: 'Solicitud de restablecimiento de contraseña de la cuenta institucional del C. Juan Pérez García',
      cct: '06DPR0123X',
      concierne: 'trabajador' as never,
      fojas: 2,
      anexos: null,
      archivo: { sha256: 'a'.repeat(64), tipo: 'application/pdf', bytes: 182_000, nombre: 'oficio.pdf' },
      recibido: { en: at(-5000 + i).toISOString(), por: 'u-subdireccion-1' },
      cancelacion: null,
    },
    caso:
      i % 4 === 3
        ? { id: `c-${i}`, status: 'concluido', state: 'fin', outcome: 'restablecida', tasks: [] }
        : {
            id: `c-${i}`,
            status: 'activo',
            state: 'verificacion',
            outcome: null,
            tasks: [
              {
                title: 'Verificar la identidad',
                candidateRole: 'nivel',
                nivelClave: 'PRIMARIA',
                assigneeId: i % 2 ? 'u-nivel-primaria' : null,
                dueAt: at(-100 + i * 60),
              },
            ],
          },
    documentos: [
      {
        id: `d-${i}`,
        tipo: 'acuse',
        numeroOficio: null,
        estado: 'vigente' as never,
        firmado: at(-4990 + i),
        descargas: i % 3 ? [{ usuario: 'u-nivel-primaria', rol: 'nivel', en: at(-4000 + i) }] : [],
      },
      ...(i % 4 === 3
        ? [
            {
              id: `r-${i}`,
              tipo: 'respuesta' as const,
              numeroOficio: `SSST/${300 + i}/2026`,
              estado: 'vigente' as never,
              firmado: at(-2000 + i),
              descargas: [],
            },
          ]
        : []),
    ],
    acuseRecibo: i % 4 === 3 ? { usuario: 'u-nivel-primaria', en: at(-1000 + i) } : null,
  }));
  return {
    filtros: {},
    cursor: {},
    propios: false,
    items,
    nombres: new Map([['u-nivel-primaria', 'Carmen Ruiz']]),
    total: 1000,
    totalAcotado: true,
    siguiente: 'eyJ2IjoiMjAyNiJ9',
    anterior: null,
    procedimientos: [{ value: 'cuenta-restablecer', label: 'Restablecimiento de contraseña' }],
    niveles: [{ value: 'PRIMARIA', label: 'Primaria' }],
    error: null,
  };
}

function measure(name: string, render: () => string, n: number, outDir?: string): void {
  const html = render(); // first render: template compilation, not counted
  if (outDir) writeFileSync(join(outDir, `${name}.html`), html);
  for (let i = 0; i < Math.min(200, n); i++) render(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    render();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, t) => s + t, 0) / n;
  const p = (q: number): string => times[Math.min(n - 1, Math.floor(q * n))].toFixed(3);
  console.log(`${name}: ${n} renders, ${html.length} chars; mean ${mean.toFixed(3)} ms, p50 ${p(0.5)}, p95 ${p(0.95)}`);
}

const n = Number(process.argv[2] ?? 2000);
const outDir = process.argv[3];
if (outDir) mkdirSync(outDir, { recursive: true });
const inbox = inboxVm();
const oficios = oficioVm();
measure('bandeja', () => renderInbox(chrome, inbox), n, outDir);
measure('oficios', () => renderOficioList({ ...chrome, path: '/oficios' }, oficios, NOW), n, outDir);

import { safeHtml } from '../render/handlebars';
import { type BarChart, barChartSvg } from './dashboard-charts';
import type { CaseHistoryVm, DashboardVm } from './dashboard.page';
import type { DashboardData } from '../engine/dashboard.service';
import { fechaHora, fechaIso, RESULTADO_LABEL, roleLabel, SITUACION_LABEL } from './format';
import { type Chrome, query, staffPage } from './layout';
import { progress } from './oficios.view';

const VERDE = '#0b5d3b';
const AMBAR = '#c27c00';
const ROJO = '#b42318';
const AZUL = '#1f4e8c';

/** Both drawings of a chart: the page shows the wide one on a screen or paper, the narrow one on a phone. */
const chart = (c: BarChart) => safeHtml(barChartSvg(c) + barChartSvg(c, 'angosta'));

const nivelName = (clave: string | null, vm: DashboardVm): string =>
  clave === null ? 'Sin nivel' : (vm.niveles.find((n) => n.value === clave)?.label ?? clave);

/** The dashboard page (templates/pages/tablero.hbs): the filters, four charts with their tables, the lists. */
export function renderDashboard(chrome: Chrome, vm: DashboardVm): string {
  const d = vm.data;
  const f = d.filtro;
  const filtros = { desde: f.desde, hasta: f.hasta, nivel: f.nivel ?? '' };
  const byProc = new Map<string, { titulo: string; enCurso: number; incidentes: number }>();
  for (const r of d.abiertos) {
    const p = byProc.get(r.procedimiento) ?? { titulo: r.titulo, enCurso: 0, incidentes: 0 };
    p.enCurso += r.enCurso;
    p.incidentes += r.incidentes;
    byProc.set(r.procedimiento, p);
  }
  const totales = {
    abiertos: d.abiertos.reduce((n, r) => n + r.enCurso + r.incidentes, 0),
    vencidas: d.tareas.reduce((n, r) => n + r.vencidas, 0),
    faltaPoco: d.tareas.reduce((n, r) => n + r.faltaPoco, 0),
    incidentes: d.totalIncidentes,
  };
  const nivel = f.nivel ? nivelName(f.nivel, vm) : null;
  return staffPage(
    chrome,
    'tablero',
    'Tablero',
    {
      imprimir: vm.imprimir,
      filtro: {
        ...filtros,
        nivelClave: f.nivel ?? '',
        desdeTexto: fechaIso(f.desde),
        hastaTexto: fechaIso(f.hasta),
        nivel,
      },
      niveles: vm.niveles,
      generado: fechaHora(d.generado),
      enlaces: {
        csv: `/tablero/csv${query(filtros)}`,
        imprimir: `/tablero${query({ ...filtros, imprimir: 1 })}`,
        pantalla: `/tablero${query(filtros)}`,
      },
      totales,
      graficas: {
        abiertos: chart({
          id: 'grafica-abiertos',
          titulo: 'Trámites abiertos por procedimiento',
          series: [
            { nombre: 'En curso', color: VERDE },
            { nombre: 'Con incidente', color: ROJO },
          ],
          rows: [...byProc.values()].map((p) => ({ label: p.titulo, values: [p.enCurso, p.incidentes] })),
        }),
        tareas: chart({
          id: 'grafica-tareas',
          titulo: 'Tareas abiertas por área: vencidas y por vencer',
          series: [
            { nombre: 'Vencidas', color: ROJO },
            { nombre: 'Falta poco', color: AMBAR },
            { nombre: 'Abiertas', color: AZUL },
          ],
          rows: d.tareas.map((t) => ({ label: roleLabel(t.rol), values: [t.vencidas, t.faltaPoco, t.abiertas] })),
        }),
        niveles: chart({
          id: 'grafica-niveles',
          titulo: 'Trámites recibidos en el periodo por nivel',
          series: [
            { nombre: 'Abiertos', color: AZUL },
            { nombre: 'Concluidos', color: VERDE },
          ],
          rows: d.niveles.map((n) => ({ label: nivelName(n.nivel, vm), values: [n.abiertos, n.concluidos] })),
        }),
        resolucion: chart({
          id: 'grafica-resolucion',
          titulo: 'Tiempo de resolución por procedimiento (días hábiles) frente al nivel de servicio',
          unidad: 'días hábiles',
          meta: 'Nivel de servicio',
          series: [
            { nombre: 'Mediana', color: VERDE },
            { nombre: 'Percentil 90', color: AMBAR },
          ],
          rows: d.resolucion.map((r) => ({ label: r.titulo, values: [r.mediana, r.p90], target: r.nivelServicio })),
        }),
      },
      abiertos: d.abiertos.map((r) => ({ ...r, total: r.enCurso + r.incidentes })),
      tareas: d.tareas.map((t) => ({ ...t, rol: roleLabel(t.rol) })),
      porNivel: d.niveles.map((n) => ({ ...n, nombre: nivelName(n.nivel, vm) })),
      resolucion: d.resolucion.map((r) => ({ ...r, fuera: r.p90 > r.nivelServicio })),
      vencidas: d.vencidas.map((t) => ({ ...t, rol: roleLabel(t.rol), vence: fechaHora(t.vence) })),
      incidentes: d.incidentes.map((i) => ({ ...i, desde: fechaHora(i.desde) })),
      oficios: {
        items: vm.oficios.items.map((o) => ({
          folio: o.folio,
          href: `/oficios${query({ folio: o.folio })}`,
          remitente: o.nivel ? `Nivel ${nivelName(o.nivel, vm)}` : (o.area ?? o.remitenteNombre),
          remitenteNombre: o.remitenteNombre,
          recibido: fechaHora(o.recibido),
          avance: progress(o.progreso),
        })),
        mas: vm.oficios.mas,
      },
    },
    { narrow: false },
  );
}

/** A spreadsheet cell: quoted, and a leading = + - @ made inert (CSV injection). */
export function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v !== 'number' ? `'${s}` : s;
  return /[",\r\n;]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The dashboard's numbers as one CSV table: section, procedure, step or area, nivel, measure, value. */
export function dashboardCsv(d: DashboardData): string {
  const f = d.filtro;
  const rows: (string | number | null)[][] = [['seccion', 'procedimiento', 'paso_o_area', 'nivel', 'medida', 'valor']];
  for (const r of d.abiertos) {
    rows.push(['abiertos', r.titulo, r.paso, f.nivel, 'en_curso', r.enCurso]);
    rows.push(['abiertos', r.titulo, r.paso, f.nivel, 'con_incidente', r.incidentes]);
  }
  for (const t of d.tareas)
    for (const [k, v] of [
      ['abiertas', t.abiertas],
      ['vencidas', t.vencidas],
      ['falta_poco', t.faltaPoco],
    ] as const)
      rows.push(['tareas', null, roleLabel(t.rol), f.nivel, k, v]);
  for (const n of d.niveles)
    for (const [k, v] of [
      ['recibidos', n.recibidos],
      ['abiertos', n.abiertos],
      ['concluidos', n.concluidos],
    ] as const)
      rows.push(['por_nivel', null, null, n.nivel ?? 'sin nivel', k, v]);
  for (const r of d.resolucion)
    for (const [k, v] of [
      ['casos', r.casos],
      ['mediana_dias_habiles', r.mediana],
      ['p90_dias_habiles', r.p90],
      ['nivel_servicio_dias_habiles', r.nivelServicio],
      ['porcentaje_en_plazo', r.enPlazo],
    ] as const)
      rows.push(['resolucion', r.titulo, null, f.nivel, k, v]);
  rows.push(['incidentes', null, null, f.nivel, 'abiertos', d.totalIncidentes]);
  rows.push(['periodo', null, null, f.nivel, 'desde', f.desde]);
  rows.push(['periodo', null, null, f.nivel, 'hasta', f.hasta]);
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The printable history of one case (templates/pages/tablero-historial.hbs). */
export function renderCaseHistory(chrome: Chrome, vm: CaseHistoryVm): string {
  const c = vm.caso.caso;
  return staffPage(chrome, 'tablero-historial', `Historial del trámite ${c.folio ?? ''}`.trim(), {
    id: c.id,
    titulo: c.titulo,
    seccion: vm.caso.seccion,
    folio: c.folio,
    situacion:
      c.situacion === 'concluido'
        ? (RESULTADO_LABEL[c.resultado ?? ''] ?? SITUACION_LABEL.concluido)
        : (SITUACION_LABEL[c.situacion] ?? c.situacion),
    creado: fechaHora(c.creado),
    actualizado: fechaHora(c.actualizado),
    documentos: vm.caso.documentos.map((d) => ({ ...d, emitido: fechaHora(d.emitido) })),
    acuses: vm.caso.movimientos
      .filter((m) => vm.acuses.has(m.seq))
      .map((m) => ({ seq: m.seq, fecha: fechaHora(m.fecha), quien: m.quien, rol: roleLabel(m.rol), accion: m.accion })),
    movimientos: vm.caso.movimientos.map((m) => ({
      seq: m.seq,
      fecha: fechaHora(m.fecha),
      quien: m.quien,
      rol: roleLabel(m.rol),
      accion: m.accion,
      pasos: m.pasos.replace(':', ' pasos '),
      datos: m.datos.map(([k, v]) => `${k}: ${v}`).join('; '),
    })),
  });
}

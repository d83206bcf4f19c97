import { barChartSvg } from './dashboard-charts';
import { businessDaysBetween, type DashboardData, histogramMedianAndP90 } from '../engine/dashboard.service';

/** The histogram of `values`, for histogramMedianAndP90. */
const medianAndP90 = (values: number[]): { mediana: number; p90: number } =>
  histogramMedianAndP90(values.reduce((h, v) => h.set(v, (h.get(v) ?? 0) + 1), new Map<number, number>()));
import { dashboardCsv } from './dashboard.view';

describe('dashboard pieces', () => {
  it('draws one bar per value, a target tick and escapes every text', () => {
    const svg = barChartSvg({
      id: 'g',
      titulo: 'Tiempo <de> resolución',
      series: [
        { nombre: 'Mediana', color: '#0b5d3b' },
        { nombre: 'P90', color: '#c27c00' },
      ],
      meta: 'Nivel de servicio',
      unidad: 'días',
      rows: [{ label: '<script>alert(1)</script> & más', values: [2, 8], target: 4 }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('<title id="g-titulo">Tiempo &lt;de&gt; resolución</title>');
    // The largest value (8) spans the whole bar area; the median is a quarter of it, the target half.
    expect(svg).toMatch(/<rect x="250" y="\d+" width="100" height="12" fill="#0b5d3b">/);
    expect(svg).toMatch(/<rect x="250" y="\d+" width="400" height="12" fill="#c27c00">/);
    expect(svg).toContain('<title>Nivel de servicio: 4 días</title>');
    expect(barChartSvg({ id: 'v', titulo: 'x', series: [], rows: [] })).toContain('Sin datos en el periodo.');
  });

  it('draws the phone chart with the labels above the bars and the legend wrapped inside its width', () => {
    const c = {
      id: 'n',
      titulo: 'Abiertos',
      series: [
        { nombre: 'En curso', color: '#0b5d3b' },
        { nombre: 'Con incidente', color: '#b42318' },
        { nombre: 'Esperando al trabajador', color: '#1f4e8c' },
      ],
      rows: [{ label: 'Correo institucional de programa, función o servicio', values: [3, 1, 0] }],
    };
    const svg = barChartSvg(c, 'angosta');
    expect(svg).toContain('class="grafica angosta" id="n-angosta" viewBox="0 0 360 ');
    expect(svg).toContain('font-weight="600">Correo institucional de programa, función o…</text>');
    // Every legend entry starts inside the 360 units; the third one goes to a second line.
    const legend = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="12" height="10"/g)].map((m) => [+m[1], +m[2]]);
    expect(legend).toHaveLength(3);
    for (const [x] of legend) expect(x).toBeLessThan(360 - 60);
    expect(legend[2][1]).toBeGreaterThan(legend[0][1]);
    // The longest bar ends before the room kept for its value.
    expect(svg).toMatch(/<rect x="0" y="\d+" width="316" height="12" fill="#0b5d3b">/);
    expect(barChartSvg(c)).toContain('class="grafica ancha" id="n" viewBox="0 0 720 ');
  });

  it('computes the median (mean of the middle two) and the p90 by nearest rank', () => {
    expect(medianAndP90([])).toEqual({ mediana: 0, p90: 0 });
    expect(medianAndP90([5])).toEqual({ mediana: 5, p90: 5 });
    expect(medianAndP90([17, 0, 2, 1, 5])).toEqual({ mediana: 2, p90: 17 });
    expect(medianAndP90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ mediana: 5.5, p90: 9 });
  });

  it('counts business days between two instants in Colima, skipping weekends and holidays', () => {
    // Friday 3 April 2026 18:00 local (Saturday 00:00 UTC) to Monday 6 April: one business day.
    expect(businessDaysBetween(new Date('2026-04-04T00:00:00Z'), new Date('2026-04-06T20:00:00Z'), new Set())).toBe(1);
    // Same local day: none.
    expect(businessDaysBetween(new Date('2026-04-06T14:00:00Z'), new Date('2026-04-07T05:00:00Z'), new Set())).toBe(0);
    expect(
      businessDaysBetween(new Date('2026-04-01T16:00:00Z'), new Date('2026-04-08T16:00:00Z'), new Set(['2026-04-02'])),
    ).toBe(4);
  });

  it('writes a CSV whose cells cannot run as formulas in a spreadsheet', () => {
    const data: DashboardData = {
      filtro: { desde: '2031-04-01', hasta: '2031-04-30', nivel: null },
      generado: new Date(0),
      abiertos: [
        {
          procedimiento: 'p',
          titulo: '=HYPERLINK("x")',
          estado: 's',
          paso: 'Paso, con coma',
          enCurso: 1,
          incidentes: 0,
        },
      ],
      niveles: [],
      resolucion: [],
      tareas: [],
      vencidas: [],
      incidentes: [],
      totalIncidentes: 0,
    };
    const lines = dashboardCsv(data).split('\r\n');
    expect(lines).toContain(`abiertos,"'=HYPERLINK(""x"")","Paso, con coma",,en_curso,1`);
    expect(lines).toContain('periodo,,,,desde,2031-04-01');
  });
});

import type { ImportJob } from '../catalog/import/import-jobs';
import { statusOf } from './admin-imports.page';
import { rejectionsCsv, renderImport } from './admin-imports.view';

const chrome = {
  staff: {
    id: 'a',
    usuario: 'admin',
    nombre: 'Admin',
    role: 'administrador' as const,
    nivelClave: null,
    mustChangePassword: false,
  },
  csrf: 'tok',
  path: '/admin/importaciones/x',
};

describe('catalog import pages', () => {
  const job: ImportJob = {
    id: '6f1c2f7e-0000-4000-8000-000000000001',
    kind: 'trabajadores',
    mode: 'full',
    fileName: 'capital-humano.csv',
    startedBy: 'a',
    startedAt: new Date(0),
    finishedAt: null,
    status: 'en_curso',
    phase: 'cargando',
    done: 5000,
    total: 10000,
    summary: null,
    rejections: [],
    message: null,
    content: null,
  };

  it('shows a running import as a progress bar on a page that reloads itself, and the same numbers as JSON', () => {
    const html = renderImport(chrome, job);
    expect(html).toContain('<progress id="avance" max="100" value="50">');
    expect(html).toContain('Guardando: 5000 de 10000 filas');
    expect(html).toContain(`<meta http-equiv="refresh" content="2;url=/admin/importaciones/${job.id}">`);
    expect(statusOf(job)).toEqual({
      id: job.id,
      estado: 'en_curso',
      fase: 'cargando',
      hechos: 5000,
      total: 10000,
      porcentaje: 50,
      mensaje: null,
    });
  });

  it('writes the rejected rows as CSV cells a spreadsheet does not run', () => {
    expect(rejectionsCsv([{ line: 7, key: null, reason: '=CMD() no es una CURP, revise' }])).toBe(
      `linea,clave,motivo\r\n7,,"'=CMD() no es una CURP, revise"\r\n`,
    );
  });
});

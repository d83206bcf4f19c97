import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoValues } from './demo-data';
import {
  DEFAULT_LETTER_TEMPLATES_DIR,
  fillLetterTemplate,
  loadLetterTemplate,
  parseLetterTemplate,
  SHIPPED_LETTERS,
  validateLetterTemplates,
} from './templates';

const T = (body: string, header = 'asunto: Respuesta al oficio {{numeroOficioSolicitud}}'): string =>
  `---\n${header}\n---\n${body}\n`;

describe('shipped templates', () => {
  it('all parse, and every shipped letter has one', () => {
    expect(validateLetterTemplates().length).toBeGreaterThanOrEqual(6);
  });

  it.each(SHIPPED_LETTERS.map((l) => [l.procedure, l.outcome] as const))('%s → %s fills completely', (procedure, outcome) => {
    const t = loadLetterTemplate(procedure, outcome);
    const filled = fillLetterTemplate(t, demoValues(procedure, outcome));
    expect(filled.asunto).not.toMatch(/\{\{|\}\}/);
    expect(filled.cuerpo).not.toMatch(/\{\{|\}\}/);
    expect(filled.ccp.length).toBeGreaterThan(0);
    expect(filled.cuerpo).toContain('DEP/0457/2026');
  });

  it('letters that give access point to the activation link, never state a password', () => {
    for (const { procedure, outcome } of SHIPPED_LETTERS) {
      const filled = fillLetterTemplate(loadLetterTemplate(procedure, outcome), demoValues(procedure, outcome));
      expect(filled.cuerpo).not.toMatch(/contraseña\s*(temporal|inicial)?\s*:/i);
      if (['creada', 'restablecida', 'reasignada'].includes(outcome)) {
        expect(filled.cuerpo).toMatch(/enlace/);
        expect(filled.cuerpo).toContain(demoValues(procedure, outcome).correoAlterno);
      }
    }
  });

  it('the activation code paragraph appears only when there is a code', () => {
    const t = loadLetterTemplate('centro-trabajo-alta', 'creada');
    const values = demoValues('centro-trabajo-alta', 'creada');
    expect(fillLetterTemplate(t, values).cuerpo).toContain('código de un solo uso K7P-2MX');
    const { codigoActivacion: _omit, ...withoutCode } = values;
    expect(fillLetterTemplate(t, withoutCode).cuerpo).not.toContain('código de un solo uso');
  });

  it('uses the generic rejection unless a procedure has its own', () => {
    expect(loadLetterTemplate('servicio-alta', 'rechazada').file).toBe(join(DEFAULT_LETTER_TEMPLATES_DIR, 'rechazada.md'));
  });
});

describe('template errors name what is wrong', () => {
  it('an unknown placeholder, with its line', () => {
    expect(() => parseLetterTemplate(T('Hola {{nombre}}.\n\nSu cuenta {{corre}} fue creada.'), '/x/a.md')).toThrow(
      /a\.md: el marcador \{\{corre\}\} \(línea 6\) no existe/,
    );
  });

  it('a missing value, with its meaning', () => {
    const t = parseLetterTemplate(T('Cuenta {{correo}} de {{nombre}}.'), '/x/b.md');
    expect(() => fillLetterTemplate(t, { numeroOficioSolicitud: '1', correo: 'a@colima.gob.mx' })).toThrow(
      'Plantilla de oficio b.md: falta el dato {{nombre}} (nombre completo del titular de la cuenta).',
    );
    expect(() => fillLetterTemplate(t, { numeroOficioSolicitud: '1', correo: ' ', nombre: 'X' })).toThrow(/\{\{correo\}\}/);
  });

  it('an unclosed or crossed section', () => {
    expect(() => parseLetterTemplate(T('{{#codigoActivacion}}Código {{codigoActivacion}}'), 'c.md')).toThrow(
      /la sección \{\{#codigoActivacion\}\} no se cierra/,
    );
    expect(() => parseLetterTemplate(T('{{#codigoActivacion}}x{{/motivo}}'), 'c.md')).toThrow(/se esperaba \{\{\/codigoActivacion\}\}/);
  });

  it('a header without asunto, or with an unknown field', () => {
    expect(() => parseLetterTemplate('Sin encabezado', 'd.md')).toThrow(/encabezado/);
    expect(() => parseLetterTemplate(T('Cuerpo', 'ccp: Archivo.'), 'd.md')).toThrow(/falta "asunto:"/);
    expect(() => parseLetterTemplate(T('Cuerpo', 'asunto: X\nfirma: Y'), 'd.md')).toThrow(/campo "firma" desconocido/);
  });

  it('a value that is not a placeholder, and above all a password', () => {
    const t = parseLetterTemplate(T('Cuenta {{correo}}.'), 'e.md');
    const base = { numeroOficioSolicitud: '1', correo: 'a@colima.gob.mx' };
    expect(() => fillLetterTemplate(t, { ...base, password: 'Xk9#mP2q' } as never)).toThrow(
      /nunca lleva contraseñas .* quite el dato "password"/,
    );
    expect(() => fillLetterTemplate(t, { ...base, contrasena: 'Xk9#mP2q' } as never)).toThrow(/nunca lleva contraseñas/);
    expect(() => fillLetterTemplate(t, { ...base, telefono: '312' } as never)).toThrow(/"telefono" no corresponde/);
  });
});

describe('an administrator rewords a letter by editing its file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'letters-tpl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the next letter uses the new wording, no restart', () => {
    const file = join(dir, 'cuenta-bloquear-bloqueada.md');
    writeFileSync(file, T('La cuenta {{correo}} quedó bloqueada.'));
    const values = { numeroOficioSolicitud: 'X/1', correo: 'a@colima.gob.mx' };
    expect(fillLetterTemplate(loadLetterTemplate('cuenta-bloquear', 'bloqueada', dir), values).cuerpo).toBe(
      'La cuenta a@colima.gob.mx quedó bloqueada.',
    );
    writeFileSync(file, T('Se bloqueó la cuenta {{correo}}.\n\nSaludos.', 'asunto: Bloqueo\nccp: Archivo.'));
    const again = fillLetterTemplate(loadLetterTemplate('cuenta-bloquear', 'bloqueada', dir), values);
    expect(again).toEqual({ asunto: 'Bloqueo', ccp: ['Archivo.'], cuerpo: 'Se bloqueó la cuenta a@colima.gob.mx.\n\nSaludos.' });
  });

  it('a procedure-specific rejection wins over the generic one', () => {
    writeFileSync(join(dir, 'rechazada.md'), T('Genérica: {{motivo}}'));
    writeFileSync(join(dir, 'servicio-alta-rechazada.md'), T('Específica: {{motivo}}'));
    const values = { numeroOficioSolicitud: '1', motivo: 'falta el oficio' };
    expect(fillLetterTemplate(loadLetterTemplate('servicio-alta', 'rechazada', dir), values).cuerpo).toBe(
      'Específica: falta el oficio',
    );
    expect(fillLetterTemplate(loadLetterTemplate('cuenta-bloquear', 'rechazada', dir), values).cuerpo).toBe(
      'Genérica: falta el oficio',
    );
  });

  it('a missing template is a clear error naming the file to create', () => {
    expect(() => loadLetterTemplate('servicio-alta', 'creada', dir)).toThrow(/cree servicio-alta-creada\.md/);
  });

  it('a value is inserted literally, never re-read as a placeholder', () => {
    writeFileSync(join(dir, 'rechazada.md'), T('Motivo: {{motivo}}'));
    const filled = fillLetterTemplate(loadLetterTemplate('servicio-alta', 'rechazada', dir), {
      numeroOficioSolicitud: '1',
      motivo: 'texto con {{folio}} dentro',
    });
    expect(filled.cuerpo).toBe('Motivo: texto con {{folio}} dentro');
  });
});

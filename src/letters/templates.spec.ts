import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoValues } from './demo-data';
import {
  DEFAULT_LETTER_TEMPLATES_DIR,
  fillLetterTemplate,
  loadLetterTemplate,
  parseLetterTemplate,
  PLACEHOLDERS,
  SHIPPED_LETTERS,
  validateLetterTemplates,
} from './templates';

const T = (body: string, header = 'asunto: Respuesta al oficio {{numeroOficioSolicitud}}'): string =>
  `---\n${header}\n---\n${body}\n`;

describe('shipped templates', () => {
  it('all parse, and every shipped letter has one', () => {
    expect(validateLetterTemplates().length).toBeGreaterThanOrEqual(6);
  });

  it.each(SHIPPED_LETTERS.map((l) => [l.procedure, l.outcome] as const))(
    '%s → %s fills completely',
    (procedure, outcome) => {
      const t = loadLetterTemplate(procedure, outcome);
      const filled = fillLetterTemplate(t, demoValues(procedure, outcome));
      expect(filled.asunto).not.toMatch(/\{\{|\}\}/);
      expect(filled.cuerpo).not.toMatch(/\{\{|\}\}/);
      expect(filled.ccp.length).toBeGreaterThan(0);
      expect(filled.cuerpo).toContain('DEP/0457/2026');
    },
  );

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

  it('the README for administrators lists the whole vocabulary, with its meaning', () => {
    const readme = readFileSync(join(DEFAULT_LETTER_TEMPLATES_DIR, 'README.md'), 'utf8');
    for (const [name, meaning] of Object.entries(PLACEHOLDERS))
      expect(readme).toContain(`| \`${name}\` | ${meaning} |`);
  });

  it('uses the generic rejection unless a procedure has its own', () => {
    expect(loadLetterTemplate('servicio-alta', 'rechazada').file).toBe(
      join(DEFAULT_LETTER_TEMPLATES_DIR, 'rechazada.md'),
    );
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
    expect(() => fillLetterTemplate(t, { numeroOficioSolicitud: '1', correo: ' ', nombre: 'X' })).toThrow(
      /\{\{correo\}\}/,
    );
  });

  it('an unclosed or crossed section, or stray braces, with the line in the file', () => {
    // An unclosed block is found where the file ends (line 7: the body starts on line 4 and ends in a newline).
    expect(() =>
      parseLetterTemplate(T('Hola.\n\n{{#if codigoActivacion}}Código {{codigoActivacion}}'), 'c.md'),
    ).toThrow(
      /^Plantilla de oficio c\.md: error de escritura en la línea 7: revise que cada "\{\{" se cierre con "\}\}" y que cada bloque/,
    );
    expect(() => parseLetterTemplate(T('{{#if codigoActivacion}}x{{/unless}}'), 'c.md')).toThrow(
      /error de escritura en la línea 4/,
    );
    expect(() => parseLetterTemplate(T('Cuenta {correo}}.'), 'c.md')).toThrow(
      /llaves "\{\{" o "\}\}" sueltas en la línea 4/,
    );
    expect(() => parseLetterTemplate(T('Cuerpo', 'asunto: Oficio {{folio}'), 'c.md')).toThrow(
      /error de escritura en la línea 2/,
    );
  });

  it('the Mustache-style section of earlier versions, with the {{#if}} to write instead', () => {
    expect(() =>
      parseLetterTemplate(T('Hola.\n{{#codigoActivacion}}Código {{codigoActivacion}}.{{/codigoActivacion}}'), 'g.md'),
    ).toThrow(
      'Plantilla de oficio g.md: la sección {{#codigoActivacion}} (línea 5) no se admite: escriba {{#if codigoActivacion}}…{{/if}} ' +
        '(se muestra cuando hay dato) o {{#unless codigoActivacion}}…{{/unless}} (cuando no lo hay).',
    );
    expect(() => parseLetterTemplate(T('{{^codigoActivacion}}Sin código.{{/codigoActivacion}}'), 'g.md')).toThrow(
      /la sección \{\{#codigoActivacion\}\} \(línea 4\) no se admite/,
    );
  });

  it('anything but placeholders, sections and comments: helpers, pieces, paths', () => {
    expect(() => parseLetterTemplate(T('{{#each correo}}x{{/each}}'), 'h.md')).toThrow(
      /la sección \{\{#each\}\} \(línea 4\) no se admite/,
    );
    expect(() => parseLetterTemplate(T('{{#if correo nombre}}x{{/if}}'), 'h.md')).toThrow(
      /la sección \{\{#if\}\} \(línea 4\) no se admite/,
    );
    expect(() => parseLetterTemplate(T('{{lookup}}'), 'h.md')).toThrow(/\{\{lookup …\}\} \(línea 4\) no se admite/);
    expect(() => parseLetterTemplate(T('{{correo nombre}}'), 'h.md')).toThrow(
      /\{\{correo …\}\} \(línea 4\) no se admite/,
    );
    expect(() => parseLetterTemplate(T('Hola\n{{> firma}}'), 'h.md')).toThrow(
      /la línea 5 usa algo que un oficio no admite/,
    );
    expect(() => parseLetterTemplate(T('{{correo.length}}'), 'h.md')).toThrow(
      /el marcador \{\{correo\.length\}\} \(línea 4\) no existe/,
    );
    expect(() => parseLetterTemplate(T('{{!-- nota para quien edita --}}Cuenta {{correo}}.'), 'h.md')).not.toThrow();
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
    expect(() => fillLetterTemplate(t, { ...base, contrasena: 'Xk9#mP2q' } as never)).toThrow(
      /nunca lleva contraseñas/,
    );
    expect(() => fillLetterTemplate(t, { ...base, telefono: '312' } as never)).toThrow(/"telefono" no corresponde/);
  });
});

describe('sections', () => {
  const t = parseLetterTemplate(
    T(
      'Cuenta {{correo}}.\n\n{{#if codigoActivacion}}Código {{codigoActivacion}}.{{else}}Sin código.{{/if}}\n\n' +
        '{{#unless motivo}}Procede.{{/unless}}',
    ),
    's.md',
  );
  const base = { numeroOficioSolicitud: '1', correo: 'a@colima.gob.mx' };

  it('show the branch that matches the value; a blank value counts as none', () => {
    expect(fillLetterTemplate(t, { ...base, codigoActivacion: ' K7P ' }).cuerpo).toBe(
      'Cuenta a@colima.gob.mx.\n\nCódigo K7P.\n\nProcede.',
    );
    expect(fillLetterTemplate(t, { ...base, codigoActivacion: '  ', motivo: 'x' }).cuerpo).toBe(
      'Cuenta a@colima.gob.mx.\n\nSin código.',
    );
  });

  it('require a value only where it is printed', () => {
    const inside = parseLetterTemplate(
      T('{{#if codigoActivacion}}Código {{codigoActivacion}} para {{nombre}}.{{/if}}Fin.'),
      's.md',
    );
    expect(fillLetterTemplate(inside, base).cuerpo).toBe('Fin.');
    expect(() => fillLetterTemplate(inside, { ...base, codigoActivacion: 'K7P' })).toThrow(
      /falta el dato \{\{nombre\}\}/,
    );
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
    expect(again).toEqual({
      asunto: 'Bloqueo',
      ccp: ['Archivo.'],
      cuerpo: 'Se bloqueó la cuenta a@colima.gob.mx.\n\nSaludos.',
    });
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

  it('a letter is plain text: a value is not HTML-escaped', () => {
    writeFileSync(join(dir, 'rechazada.md'), T('Motivo: {{motivo}}'));
    const motivo = `el centro "Benito Juárez" <06DPR0012X> & O'Brien`;
    const filled = fillLetterTemplate(loadLetterTemplate('servicio-alta', 'rechazada', dir), {
      numeroOficioSolicitud: '1',
      motivo,
    });
    expect(filled.cuerpo).toBe(`Motivo: ${motivo}`);
  });
});

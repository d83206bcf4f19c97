import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LINK_TEMPLATES,
  MAIL_TEMPLATE_NAMES,
  MAIL_TEMPLATE_VARS,
  MailTemplateError,
  type MailTemplateName,
  MailTemplates,
  type MailVarValue,
  defaultMailTemplatesDir,
  formatFechaHora,
  parseTemplateSources,
  readMailPartials,
  renderParsed,
} from './mail-templates';
import { identityOf } from '../render/identity';

const sample: Record<string, MailVarValue> = {
  nombre: 'María José López Hernández',
  correo: 'maria.lopez@colima.gob.mx',
  enlace: 'https://correo.colima.gob.mx/activar/AbC_123-xyz',
  venceEl: new Date('2026-11-29T20:05:00Z'),
  vigenciaEnlace: '24 horas',
  longitudMinima: 12,
  centroTrabajo: 'Escuela Primaria "Benito Juárez"',
  cct: '06DPR0001X',
  tipoCuenta: 'Función',
  folio: 'SSST-2026-000123',
  fecha: new Date('2026-11-28T18:00:00Z'),
  motivo: 'Se creó su cuenta de correo electrónico institucional.',
  contrasenaTemporal: 'Hq7m-xR4c-9kPt-w2Nb',
  tarea: 'Analizar la solicitud',
  vence: new Date('2026-12-01T17:00:00Z'),
  bandeja: 'https://correo.colima.gob.mx/bandeja',
  nuevas: 2,
  abiertas: 7,
  tareas:
    'Folio: SSST-2026-000123\nTrámite: Alta de cuenta <Personal>\nPaso: Analizar la solicitud\n\nFolio: sin folio\nTrámite: Bloqueo',
};

function varsFor(name: MailTemplateName): Record<string, MailVarValue> {
  return Object.fromEntries(MAIL_TEMPLATE_VARS[name].map((k) => [k, sample[k]]));
}

function render(templates: MailTemplates, name: MailTemplateName, vars = varsFor(name)) {
  return templates.render(name, vars as never);
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MailTemplateError);
    return (e as Error).message;
  }
  throw new Error('expected a MailTemplateError');
}

const minimalTxt = (body: string, subject = 'Aviso para {{nombre}}') => `---\nasunto: ${subject}\n---\n${body}\n`;

describe('the shipped mail templates', () => {
  const templates = MailTemplates.load();

  it.each(MAIL_TEMPLATE_NAMES)('%s renders every placeholder in Spanish, with nothing left over', (name) => {
    const mail = render(templates, name);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/\{\{|\}\}/);
    }
    expect(mail.subject.length).toBeGreaterThan(10);
    const declared: readonly string[] = MAIL_TEMPLATE_VARS[name];
    // Mails to an account's holder greet them and name the account; the inbox reminders (to staff) name the task.
    if (declared.includes('nombre')) expect(mail.text).toContain('Estimado(a) María José López Hernández:');
    if (declared.includes('correo')) expect(mail.text).toContain('maria.lopez@colima.gob.mx');
    if (declared.includes('tarea')) expect(mail.text).toContain('Tarea: Analizar la solicitud');
    expect(mail.text).toContain('Coordinación de los Servicios Educativos del Estado de Colima');
    expect(mail.html).toContain('<html lang="es-MX">');
  });

  it('tareas-nuevas shows the list as written: its lines kept, escaped in the HTML part', () => {
    const mail = render(templates, 'tareas-nuevas');
    expect(mail.subject).toBe('Tareas nuevas en su bandeja: 2');
    expect(mail.text).toContain(
      'Folio: SSST-2026-000123\nTrámite: Alta de cuenta <Personal>\nPaso: Analizar la solicitud',
    );
    expect(mail.text).toContain('Tareas abiertas en su bandeja, en total: 7');
    expect(mail.html).toMatch(
      /<div style="[^"]*white-space:pre-line;[^"]*">Folio: SSST-2026-000123\nTrámite: Alta de cuenta &lt;Personal&gt;/,
    );
  });

  it.each(MAIL_TEMPLATE_NAMES)('%s carries the shared header, footer and layout in both parts, once', (name) => {
    const mail = render(templates, name);
    const count = (text: string, part: string) => text.split(part).length - 1;
    expect(count(mail.html, 'Mi Correo Institucional · CSEEE Colima</td>')).toBe(1);
    expect(count(mail.html, 'El correo institucional es exclusivamente para asuntos oficiales.</p>')).toBe(1);
    expect(mail.html).toMatch(/^<!DOCTYPE html>\n<html lang="es-MX">[\s\S]*<\/html>\n$/);
    // The signature separator "-- " (with its space) survives the partial, as the last block of the text.
    expect(mail.text).toMatch(
      /\n\n-- \nCoordinación de los Servicios Educativos del Estado de Colima\n[^]*asuntos oficiales\.\n$/,
    );
    // The layout's title is the message's own, and no administrator's note ({{!-- … --}}) reaches the recipient.
    expect(mail.html).toMatch(/<title>[^<{]{10,}<\/title>/);
    expect(mail.html).not.toMatch(/\{\{|Guía 5|<!--/);
  });

  it('shows the link, its expiry and the password rules in link mails, and never a password', () => {
    expect([...LINK_TEMPLATES].sort()).toEqual(
      [
        'alta-centro-trabajo',
        'alta-personal',
        'alta-servicio',
        'reasignacion-nuevo-titular',
        'reasignacion-nuevo-titular-sin-oficio',
        'restablecimiento',
      ].sort(),
    );
    for (const name of LINK_TEMPLATES) {
      expect(MAIL_TEMPLATE_VARS[name]).not.toContain('contrasenaTemporal');
      const mail = render(templates, name);
      // The sentence before the link leads into it, in both parts.
      expect(mail.text).toMatch(/en este enlace[^\n]*:\n\nhttps:\/\/correo\.colima\.gob\.mx\/activar\/AbC_123-xyz\n/);
      expect(mail.html).toMatch(/en este enlace[^<]*:<\/p>\s*<p[^>]*><a href="https:\/\/correo/);
      expect(mail.html).toContain('href="https://correo.colima.gob.mx/activar/AbC_123-xyz"');
      expect(mail.text).toContain('29 de noviembre de 2026 a las 14:05 h');
      expect(mail.text).toContain('24 horas');
      expect(mail.text).toContain('al menos 12 caracteres');
      expect(mail.html).toContain('<li>Use al menos 12 caracteres.');
      expect(mail.text).toMatch(/\nAl elegir su contraseña:\n- Use al menos 12 caracteres/);
      expect(mail.text).not.toContain('Hq7m-xR4c-9kPt-w2Nb');
      expect(mail.text).not.toMatch(/contraseña temporal/i);
    }
  });

  it('puts the temporary password in both parts and says it must be changed', () => {
    const mail = render(templates, 'contrasena-temporal');
    expect(mail.text).toContain('Contraseña temporal: Hq7m-xR4c-9kPt-w2Nb');
    expect(mail.html).toContain('Hq7m-xR4c-9kPt-w2Nb');
    expect(mail.text).toMatch(/le pedirá cambiarla/);
    expect(mail.subject).not.toContain('Hq7m');
  });

  it('tells the previous holder and the blocked holder without link or password', () => {
    for (const name of ['reasignacion-titular-anterior', 'bloqueo', 'restablecimiento-contrasena-elegida'] as const) {
      const mail = render(templates, name);
      expect(mail.text).not.toMatch(/https?:\/\//);
      expect(mail.text).toContain('28 de noviembre de 2026 a las 12:00 h');
    }
    expect(render(templates, 'bloqueo').text).toContain('fue bloqueada');
    expect(render(templates, 'reasignacion-titular-anterior').text).toContain('ya no tiene acceso');
  });

  it('escapes values in HTML and leaves them as typed in the text', () => {
    const vars = { ...varsFor('alta-servicio'), nombre: `<script>alert("x")</script> & O'Brien` };
    const mail = render(templates, 'alta-servicio', vars);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#x27;Brien');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`<script>alert("x")</script> & O'Brien`);
    expect(render(templates, 'alta-centro-trabajo').html).toContain('Escuela Primaria &quot;Benito Juárez&quot;');
    // The subject is a header line, not HTML.
    const subject = render(templates, 'alta-servicio', { ...vars, correo: 'a&b@colima.gob.mx' }).subject;
    expect(subject).toBe('Cuenta de correo institucional de Función: a&b@colima.gob.mx');
  });

  it('escapes a value that a shared piece prints (the link in the HTML part)', () => {
    const enlace = 'https://correo.colima.gob.mx/activar?t=a&u=b';
    const mail = render(templates, 'restablecimiento', { ...varsFor('restablecimiento'), enlace });
    expect(mail.html).toContain('href="https://correo.colima.gob.mx/activar?t&#x3D;a&amp;u&#x3D;b"');
    expect(mail.text).toContain(`\n${enlace}\n`);
  });

  it('refuses a missing, empty or unknown value, naming the placeholder', () => {
    const vars = varsFor('alta-personal');
    delete vars.enlace;
    expect(messageOf(() => render(templates, 'alta-personal', vars))).toContain('falta el valor de {{enlace}}');
    expect(
      messageOf(() => render(templates, 'alta-personal', { ...varsFor('alta-personal'), nombre: '  ' })),
    ).toContain('{{nombre}}');
    expect(
      messageOf(() => render(templates, 'bloqueo', { ...varsFor('bloqueo'), enlace: 'https://x.mx/a' })),
    ).toContain('{{enlace}} no es un marcador de esta plantilla');
  });

  it('accepts only an absolute http(s) link', () => {
    for (const enlace of ['javascript:alert(1)', '/activar/abc', 'https://x.mx/a" onclick="b']) {
      expect(
        messageOf(() => render(templates, 'restablecimiento', { ...varsFor('restablecimiento'), enlace })),
      ).toMatch(/enlace debe ser una dirección http/);
    }
  });

  it('refuses a value that would break the subject line', () => {
    expect(
      messageOf(() => render(templates, 'bloqueo', { ...varsFor('bloqueo'), correo: 'a@b.mx\nBcc: x@y.z' })),
    ).toMatch(/asunto no puede tener saltos de línea/);
  });
});

describe('template files an administrator edits', () => {
  const html =
    '<p>{{nombre}} {{correo}} <a href="{{enlace}}">{{enlace}}</a> {{venceEl}} {{vigenciaEnlace}} {{longitudMinima}}</p>';
  const txt = minimalTxt('{{nombre}}: {{enlace}} vence {{venceEl}}');

  it('parse when well formed', () => {
    const parsed = parseTemplateSources('restablecimiento', txt, html);
    const mail = renderParsed('restablecimiento', parsed, varsFor('restablecimiento') as never);
    expect(mail.subject).toBe('Aviso para María José López Hernández');
    expect(mail.text).toBe(
      'María José López Hernández: https://correo.colima.gob.mx/activar/AbC_123-xyz vence 29 de noviembre de 2026 a las 14:05 h (hora del centro de México)\n',
    );
  });

  it('refuse a placeholder the template does not declare, even inside a shared piece it uses', () => {
    const partials = { html: { 'partials/x': '<p>{{folio}}</p>' }, text: { 'partials/x-texto': '{{enlace}}\n' } };
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, html + '{{> partials/x}}', partials))).toBe(
      'restablecimiento.html: el marcador {{folio}} no existe para esta plantilla (disponibles: nombre, correo, enlace, venceEl, vigenciaEnlace, longitudMinima).',
    );
    // A value the call passes (titulo="…") belongs to the piece, not to the template.
    const withTitle = { ...partials, html: { 'partials/x': '<h1>{{titulo}}</h1>' } };
    expect(() =>
      parseTemplateSources('restablecimiento', txt, html + '{{> partials/x titulo="Hola"}}', withTitle),
    ).not.toThrow();
    // The text part counts the link its piece shows.
    expect(() =>
      parseTemplateSources('restablecimiento', minimalTxt('{{> partials/x-texto}}'), html, partials),
    ).not.toThrow();
  });

  it('refuse an unknown piece, and offer each part only its own kind', () => {
    const partials = { html: { 'partials/pie': '<p>pie</p>' }, text: { 'partials/pie-texto': 'pie\n' } };
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, html + '{{> partials/pei}}', partials))).toBe(
      'restablecimiento.html: la pieza {{> partials/pei}} (línea 1) no existe (disponibles: partials/pie).',
    );
    expect(
      messageOf(() =>
        parseTemplateSources('restablecimiento', minimalTxt('{{enlace}}\n{{> partials/pie}}'), html, partials),
      ),
    ).toMatch(
      /^restablecimiento\.txt: la pieza \{\{> partials\/pie\}\} \(línea 5\) no existe \(disponibles: partials\/pie-texto\)/,
    );
  });

  it('refuse triple braces, which would print a value unescaped', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, html + '\n<p>{{{nombre}}}</p>'))).toBe(
      'restablecimiento.html: la línea 2 usa llaves triples o {{& …}}; escriba {{nombre}} (el sistema escapa cada valor).',
    );
  });

  it('refuse an unknown placeholder, naming file and placeholder', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {{curp}}'), html))).toBe(
      'restablecimiento.txt: el marcador {{curp}} no existe para esta plantilla (disponibles: nombre, correo, enlace, venceEl, vigenciaEnlace, longitudMinima).',
    );
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, html + '{{folio}}'))).toMatch(
      /^restablecimiento\.html: el marcador \{\{folio\}\}/,
    );
  });

  it('refuse malformed, unclosed or stray braces', () => {
    expect(
      messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {{nombre completo}}'), html)),
    ).toMatch(/el marcador \{\{completo\}\} no existe/);
    expect(
      messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}}\n{{nombre}'), html)),
    ).toMatch(/^restablecimiento\.txt: error de escritura en la línea 5: revise que cada "\{\{" se cierre con "\}\}"/);
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}} {nombre}}'), html))).toBe(
      'restablecimiento.txt: hay llaves "{{" o "}}" sueltas en la línea 4: un marcador se escribe {{nombre}}.',
    );
    // Lines are counted as in the file: the subject is on line 2 of the .txt.
    expect(
      messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{enlace}}', 'Aviso {{nombre}'), html)),
    ).toMatch(/^restablecimiento\.txt: error de escritura en la línea 2:/);
    expect(
      messageOf(() => parseTemplateSources('restablecimiento', txt, html.replace('</p>', '{{#if nombre}}</p>'))),
    ).toMatch(/^restablecimiento\.html: error de escritura en la línea 1/);
  });

  it('refuse a link template that does not show the link in each part', () => {
    expect(messageOf(() => parseTemplateSources('restablecimiento', minimalTxt('{{nombre}}'), html))).toBe(
      'restablecimiento.txt: debe mostrar {{enlace}}.',
    );
    expect(messageOf(() => parseTemplateSources('restablecimiento', txt, '<p>{{nombre}}</p>'))).toBe(
      'restablecimiento.html: debe mostrar {{enlace}}.',
    );
    expect(
      messageOf(() =>
        parseTemplateSources('contrasena-temporal', minimalTxt('{{motivo}}'), '<p>{{contrasenaTemporal}}</p>'),
      ),
    ).toBe('contrasena-temporal.txt: debe mostrar {{contrasenaTemporal}}.');
  });

  it('refuse a missing header, an unknown header field, and a password or link in the subject', () => {
    expect(messageOf(() => parseTemplateSources('bloqueo', 'Hola {{nombre}}', '<p></p>'))).toMatch(
      /debe empezar con un encabezado/,
    );
    expect(messageOf(() => parseTemplateSources('bloqueo', '---\nasunto: x\nde: y\n---\nHola', '<p></p>'))).toMatch(
      /solo admite "asunto/,
    );
    expect(messageOf(() => parseTemplateSources('bloqueo', '---\n# nada\n---\nHola', '<p></p>'))).toMatch(
      /falta "asunto/,
    );
    expect(
      messageOf(() =>
        parseTemplateSources(
          'contrasena-temporal',
          minimalTxt('{{contrasenaTemporal}}', 'Su clave {{contrasenaTemporal}}'),
          '<p>{{contrasenaTemporal}}</p>',
        ),
      ),
    ).toMatch(/asunto no puede llevar enlaces ni contraseñas/);
  });

  it('stop the load of a folder with a broken or missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-templates-'));
    try {
      cpSync(defaultMailTemplatesDir(), dir, { recursive: true });
      expect(MailTemplates.load(dir).dir).toBe(dir);
      const file = join(dir, 'bloqueo.html');
      writeFileSync(file, readFileSync(file, 'utf8').replace('{{folio}}', '{{folioo}}'));
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(/^bloqueo\.html: el marcador \{\{folioo\}\} no existe/);
      rmSync(file);
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(/Falta la plantilla de correo .*bloqueo\.html/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply an edit of a shared piece to every message, and check it against each template that uses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-templates-'));
    try {
      cpSync(defaultMailTemplatesDir(), dir, { recursive: true });
      const pie = join(dir, 'partials', 'pie-texto.hbs');
      writeFileSync(pie, readFileSync(pie, 'utf8').replace('Por favor no responda', 'No responda'));
      const edited = MailTemplates.load(dir);
      for (const name of MAIL_TEMPLATE_NAMES)
        expect(render(edited, name).text).toContain('Institucional. No responda a este correo.');
      // The shipped set, loaded in the same process, keeps its own pieces.
      expect(render(MailTemplates.load(), 'bloqueo').text).toContain('Por favor no responda');
      // {{folio}} is declared by bloqueo but not by alta-personal, which also uses the footer.
      writeFileSync(pie, readFileSync(pie, 'utf8') + 'Folio: {{folio}}\n');
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(
        /^alta-personal\.txt: el marcador \{\{folio\}\} no existe/,
      );
      writeFileSync(pie, '{{{nombre}}}\n');
      expect(messageOf(() => MailTemplates.load(dir))).toMatch(
        /^partials\/pie-texto\.hbs: la línea 1 usa llaves triples/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatFechaHora', () => {
  it('writes Mexico City time (UTC-6 all year since 2022)', () => {
    expect(formatFechaHora(new Date('2026-11-28T02:30:00Z'))).toBe(
      '27 de noviembre de 2026 a las 20:30 h (hora del centro de México)',
    );
    expect(formatFechaHora(new Date('2026-07-01T06:00:00Z'))).toBe(
      '1 de julio de 2026 a las 00:00 h (hora del centro de México)',
    );
    expect(formatFechaHora(new Date('2027-01-01T05:59:00Z'))).toBe(
      '31 de diciembre de 2026 a las 23:59 h (hora del centro de México)',
    );
  });

  it('refuses an invalid date', () => {
    expect(messageOf(() => formatFechaHora(new Date('nope')))).toMatch(/Fecha inválida/);
  });
});

describe('the institution the mails name (INSTITUTION_NAME, INSTITUTION_SHORT_NAME, STATE_NAME, LETTERHEAD_AREA)', () => {
  const nayarit = identityOf({
    name: 'Servicios de Educación Pública del Estado de Nayarit',
    shortName: 'SEPEN',
    stateName: 'Nayarit',
    letterPlace: 'Tepic, Nay.',
    letterheadArea: 'Dirección de Tecnologías de la Información',
  });

  it.each(MAIL_TEMPLATE_NAMES)(
    "%s names another state's institution in its header and footer, not Colima's",
    (name) => {
      const mail = render(MailTemplates.load(undefined, nayarit), name);
      expect(mail.html).toContain('Mi Correo Institucional · SEPEN Nayarit</td>');
      expect(mail.html).toContain(
        'Servicios de Educación Pública del Estado de Nayarit<br>Dirección de Tecnologías de la Información · ',
      );
      expect(mail.text).toMatch(
        /\n-- \nServicios de Educación Pública del Estado de Nayarit\nDirección de Tecnologías de la Información · /,
      );
      for (const part of [mail.text, mail.html])
        expect(part).not.toMatch(/CSEEE|Servicios Educativos del Estado de Colima/);
    },
  );

  it('refuses an unknown {{@name}} when the templates are loaded, naming the file and the ones there are', () => {
    const partials = readMailPartials(defaultMailTemplatesDir());
    const html = readFileSync(join(defaultMailTemplatesDir(), 'bloqueo.html'), 'utf8').replace(
      '{{/layouts/correo}}',
      '<p>{{@institución}}</p>{{/layouts/correo}}',
    );
    const txt = readFileSync(join(defaultMailTemplatesDir(), 'bloqueo.txt'), 'utf8');
    expect(() => parseTemplateSources('bloqueo', txt, html, partials)).toThrow(
      /bloqueo\.html: el marcador \{\{@institución\}\} no existe .*@institucion, @siglas, @estado, @area/,
    );
  });
});

describe('templates/mail/README.md', () => {
  it('lists each template with exactly its placeholders', () => {
    const readme = readFileSync(join(defaultMailTemplatesDir(), 'README.md'), 'utf8');
    for (const name of MAIL_TEMPLATE_NAMES) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row?.split('|').at(-2)?.trim()).toBe(MAIL_TEMPLATE_VARS[name].join(', '));
    }
  });
});

describe('readMailPartials', () => {
  it('splits the shipped pieces by kind: "-texto" for the text part, the others for HTML', () => {
    const partials = readMailPartials(defaultMailTemplatesDir());
    expect(Object.keys(partials.text).sort()).toEqual([
      'partials/consejos-texto',
      'partials/enlace-texto',
      'partials/pie-texto',
    ]);
    expect(Object.keys(partials.html).sort()).toEqual([
      'layouts/correo',
      'partials/consejos',
      'partials/encabezado',
      'partials/enlace',
      'partials/pie',
    ]);
  });
});

import { hbs } from './handlebars';
import { renderPage, renderPublicError, renderPublicPage } from './pages';

const palette = (html: string): string | undefined => /<style>:root\{[^}]*\}<\/style>/.exec(html)?.[0];

describe('page rendering (templates/pages)', () => {
  it('escapes values in the public layout: title, heading and message', () => {
    const html = renderPublicError('Error <i>', 'No existe <b>"x"</b>', { nota: "Regrese & 'intente'" });
    expect(html).toContain('<title>Error &lt;i&gt; — Mi Correo Institucional</title>');
    expect(html).toContain('<h1>Error &lt;i&gt;</h1>');
    expect(html).toContain('<p class="error" role="alert">No existe &lt;b&gt;&quot;x&quot;&lt;/b&gt;</p>');
    expect(html).toContain('<p>Regrese &amp; &#x27;intente&#x27;</p>');
    expect(html).toContain('lang="es-MX"');
    expect(html).not.toContain('name="robots"');
  });

  it('staff and public layouts share one head and one palette', () => {
    const publicPage = renderPublicPage(
      'correo-inicio',
      'Correo institucional',
      { alta: 'A', restablecer: 'R' },
      { refresh: { seconds: 2, url: '/x' }, noindex: true },
    );
    const staff = renderPage('salir', {
      page: {
        title: 'Cerrar sesión',
        refresh: null,
        noindex: false,
        narrow: true,
        aviso: null,
        error: null,
        errores: [],
        campoError: {},
        csrf: 't',
        css: '/c.css',
        js: '/j.js',
        staff: null,
        nav: [],
      },
    });
    expect(palette(publicPage)).toBeDefined();
    expect(palette(staff)).toBe(palette(publicPage));
    expect(publicPage).toContain('<meta http-equiv="refresh" content="2;url=/x">');
    expect(publicPage).toContain('<meta name="robots" content="noindex">');
    expect(staff).toContain('<main id="contenido" tabindex="-1" class="angosto"><h1>Cerrar sesión</h1>');
    for (const html of [staff, publicPage])
      expect(html).toMatch(/<body><a class="saltar" href="#contenido">Saltar al contenido<\/a>/);
  });

  it('compiles the layouts and pieces once: a second render compiles nothing', () => {
    const render = () => renderPublicError('Error', 'Mensaje', { nota: 'Nota' });
    const first = render();
    const compile = jest.spyOn(hbs, 'compile');
    try {
      expect(render()).toBe(first);
      expect(compile).not.toHaveBeenCalled();
    } finally {
      compile.mockRestore();
    }
  });

  it('fails loudly on a value the template reads but the page did not give (strict mode), and on an unknown page', () => {
    expect(() => renderPublicPage('error', 'T', {})).toThrow(/mensaje/);
    expect(() => renderPage('no-existe', {})).toThrow(/no-existe/);
  });
});

import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { curpProblem, normalizeCurp } from '../validation/curp';
import { DomainError } from '../common/domain-error';
import { esc, htmlPage } from '../common/html';
import { rateLimit, TooManyRequestsPage } from '../common/rate-limit';
import { SelfServiceService, type SelfServiceView } from './selfservice.service';

const OPTIONS = {
  alta: { procedure: 'personal-alta', title: 'Obtener mi correo institucional' },
  restablecer: { procedure: 'personal-restablecer', title: 'Restablecer mi contraseña' },
} as const;

const identifyForm = (action: string, extra = ''): string => `<form method="post" action="${esc(action)}">${extra}
<label for="curp">CURP</label><input type="text" id="curp" name="curp" maxlength="18" autocomplete="off" required>
<label for="curt">CURT</label><input type="text" id="curt" name="curt" maxlength="30" autocomplete="off" required>
<button type="submit">Continuar</button></form>`;

/**
 * Guía 5.1.1 / 5.1.2 paso 1: the portal's "Correo institucional" menu. The option for a new account is "Obtener mi
 * correo institucional" (correction 2: the guide names it "Restablecer mi contraseña" too).
 */
@ApiExcludeController()
@UseFilters(TooManyRequestsPage)
@Controller('correo')
export class SelfServicePage {
  constructor(private readonly selfService: SelfServiceService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return htmlPage(
      'Correo institucional',
      `<p>Para trabajadores activos en Capital Humano con un correo electrónico alterno registrado.</p>
<p><a class="boton" href="/correo/alta">${OPTIONS.alta.title}</a></p>
<p><a class="boton secundario" href="/correo/restablecer">${OPTIONS.restablecer.title}</a></p>`,
    );
  }

  @Get('alta')
  @Header('Content-Type', 'text/html; charset=utf-8')
  formAlta(): string {
    return this.form('alta');
  }

  @Get('restablecer')
  @Header('Content-Type', 'text/html; charset=utf-8')
  formRestablecer(): string {
    return this.form('restablecer');
  }

  @Post('alta')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  async alta(@Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.start('alta', body, res);
  }

  @Post('restablecer')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  async restablecer(@Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.start('restablecer', body, res);
  }

  private form(opcion: keyof typeof OPTIONS): string {
    return htmlPage(OPTIONS[opcion].title, `<p>Escriba su CURP y su CURT (Guía, paso 2).</p>${identifyForm(`/correo/${opcion}`)}`);
  }

  private async start(opcion: keyof typeof OPTIONS, body: Record<string, unknown>, res: Response): Promise<void> {
    const { curp, curt, problem } = this.read(body);
    if (problem) {
      res.status(400).type('html').send(htmlPage(OPTIONS[opcion].title, `<p class="error">${esc(problem)}</p>${identifyForm(`/correo/${opcion}`)}`));
      return;
    }
    await this.respond(res, () => this.selfService.start(OPTIONS[opcion].procedure, curp, curt));
  }

  @Post('tramite/:id/identificar')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  async retry(@Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const { curp, curt, problem } = this.read(body);
    const token = typeof body.token === 'string' ? body.token : '';
    if (problem) {
      res.status(400).type('html').send(htmlPage('Datos del trabajador', `<p class="error">${esc(problem)}</p>${identifyForm(`/correo/tramite/${id}/identificar`, `<input type="hidden" name="token" value="${esc(token)}">`)}`));
      return;
    }
    await this.respond(res, () => this.selfService.retry(id, token, curp, curt), { id, token });
  }

  @Post('tramite/:id/confirmar')
  @HttpCode(200)
  async confirm(@Param('id') id: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const token = typeof body.token === 'string' ? body.token : '';
    await this.respond(res, () => this.selfService.confirm(id, token, body.confirma === 'si'), { id, token });
  }

  @Get('tramite/:id')
  async status(@Param('id') id: string, @Query('token') token: string, @Res() res: Response): Promise<void> {
    await this.respond(res, () => this.selfService.status(id, token ?? ''));
  }

  private read(body: Record<string, unknown>): { curp: string; curt: string; problem: string | null } {
    const curp = normalizeCurp(typeof body.curp === 'string' ? body.curp : '');
    const curt = (typeof body.curt === 'string' ? body.curt : '').trim().toUpperCase();
    const problem = curpProblem(curp) ?? (/^[A-Z0-9]{1,30}$/.test(curt) ? null : 'La CURT solo lleva letras y números (hasta 30).');
    return { curp, curt, problem };
  }

  /** `caso`: the request being answered; a 409 (answered meanwhile elsewhere) links to its current state. */
  private async respond(res: Response, run: () => Promise<SelfServiceView>, caso?: { id: string; token: string }): Promise<void> {
    res.type('html').setHeader('Cache-Control', 'no-store');
    let v: SelfServiceView;
    try {
      v = await run();
    } catch (e) {
      if (e instanceof DomainError) {
        const estado = caso && e.status === 409 ? `<p><a href="${esc(this.statusUrl(caso.id, caso.token))}">Ver el estado de su solicitud</a></p>` : '';
        res.status(e.status).send(htmlPage('No fue posible continuar', `<p class="error">${esc(e.message)}</p>${estado}<p><a href="/correo">Volver al inicio</a></p>`));
        return;
      }
      throw e;
    }
    res.send(this.render(v));
  }

  private statusUrl(id: string, token: string): string {
    return `/correo/tramite/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
  }

  /** Pasos 5, 7, 10, 12, 18 of the guide: what the system shows at each point. */
  private render(v: SelfServiceView): string {
    const token = `<input type="hidden" name="token" value="${esc(v.token)}">`;
    const datos = v.trabajador
      ? `<dl><dt>Nombre</dt><dd>${esc(v.trabajador.nombre)}</dd><dt>Correo alterno</dt><dd>${esc(v.trabajador.correoAlterno ?? 'sin registrar')}</dd></dl>`
      : '';
    if (v.acciones.includes('confirmar')) {
      return htmlPage(
        'Confirme sus datos',
        `${datos}<p>${esc(v.mensaje)}</p><form method="post" action="/correo/tramite/${esc(v.tramite)}/confirmar">${token}
<button type="submit" name="confirma" value="si">Confirmar</button><button type="submit" name="confirma" value="no" class="secundario">No confirmar</button></form>`,
      );
    }
    if (v.acciones.includes('identificar')) {
      return htmlPage('Los datos no coinciden', `<p class="error">${esc(v.mensaje)}</p>${identifyForm(`/correo/tramite/${v.tramite}/identificar`, token)}`);
    }
    if (!v.concluido && v.estado !== 'incidente') {
      // Still provisioning: the page refreshes itself until the result is known.
      const url = this.statusUrl(v.tramite, v.token);
      return htmlPage('Procesando su solicitud', `${datos}<p class="aviso">${esc(v.mensaje)}</p><p><a href="${esc(url)}">Actualizar</a></p>`, {
        refresh: { seconds: 2, url },
      });
    }
    const ok = v.resultado === 'creada' || v.resultado === 'restablecida';
    const cuenta = v.correoInstitucional ? `<p>Su correo institucional: <strong>${esc(v.correoInstitucional)}</strong></p>` : '';
    return htmlPage(ok ? 'Listo' : 'Aviso', `${datos}${cuenta}<p class="${ok ? 'ok' : 'aviso'}">${esc(v.mensaje)}</p>`);
  }
}

import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { curpProblem, normalizeCurp } from '../validation/curp';
import { DomainError } from '../common/domain-error';
import { rateLimit, TooManyRequestsPage } from '../common/rate-limit';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { type PublicPageOptions, renderPublicPage } from '../render/pages';
import { SelfServiceService, type SelfServiceView } from './selfservice.service';

const OPTIONS = {
  alta: { procedure: 'personal-alta', title: 'Obtener mi correo institucional' },
  restablecer: { procedure: 'personal-restablecer', title: 'Restablecer mi contraseña' },
} as const;

/** The CURP and CURT form (Guía, paso 2): first asked, or again with what was wrong. */

/**
 * Guía 5.1.1 / 5.1.2 paso 1: the portal's "Correo institucional" menu. The option for a new account is "Obtener mi
 * correo institucional" (correction 2: the guide names it "Restablecer mi contraseña" too).
 */
@ApiExcludeController()
@UseFilters(TooManyRequestsPage)
@Controller('correo')
export class SelfServicePage {
  constructor(
    private readonly selfService: SelfServiceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A page of the public layout, naming the configured institution. */
  private page(name: string, title: string, context: object, opts: PublicPageOptions = {}): string {
    return renderPublicPage(name, title, context, { ...opts, identity: identityOf(this.config.institution) });
  }

  /** The CURP and CURT form (Guía, paso 2): first asked, or again with what was wrong. */
  private identifyPage(title: string, action: string, opts: { error?: string; token?: string } = {}): string {
    return this.page('correo-identificar', title, { action, error: opts.error ?? null, token: opts.token ?? null });
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return this.page('correo-inicio', 'Correo institucional', {
      alta: OPTIONS.alta.title,
      restablecer: OPTIONS.restablecer.title,
    });
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
    return this.identifyPage(OPTIONS[opcion].title, `/correo/${opcion}`);
  }

  private async start(opcion: keyof typeof OPTIONS, body: Record<string, unknown>, res: Response): Promise<void> {
    const { curp, curt, problem } = this.read(body);
    if (problem) {
      res
        .status(400)
        .type('html')
        .send(this.identifyPage(OPTIONS[opcion].title, `/correo/${opcion}`, { error: problem }));
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
      res
        .status(400)
        .type('html')
        .send(
          this.identifyPage('Datos del trabajador', `/correo/tramite/${id}/identificar`, { error: problem, token }),
        );
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
    const problem =
      curpProblem(curp) ?? (/^[A-Z0-9]{1,30}$/.test(curt) ? null : 'La CURT solo lleva letras y números (hasta 30).');
    return { curp, curt, problem };
  }

  /** `caso`: the request being answered; a 409 (answered meanwhile elsewhere) links to its current state. */
  private async respond(
    res: Response,
    run: () => Promise<SelfServiceView>,
    caso?: { id: string; token: string },
  ): Promise<void> {
    res.type('html').setHeader('Cache-Control', 'no-store');
    let v: SelfServiceView;
    try {
      v = await run();
    } catch (e) {
      if (e instanceof DomainError) {
        const estado =
          caso && e.status === 409
            ? { tramite: encodeURIComponent(caso.id), token: encodeURIComponent(caso.token) }
            : null;
        res
          .status(e.status)
          .send(this.page('correo-error', 'No fue posible continuar', { mensaje: e.message, estado }));
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
    const trabajador = v.trabajador
      ? { nombre: v.trabajador.nombre, correoAlterno: v.trabajador.correoAlterno ?? 'sin registrar' }
      : null;
    if (v.acciones.includes('confirmar')) {
      return this.page('correo-confirmar', 'Confirme sus datos', {
        trabajador,
        mensaje: v.mensaje,
        tramite: v.tramite,
        token: v.token,
      });
    }
    if (v.acciones.includes('identificar')) {
      return this.identifyPage('Los datos no coinciden', `/correo/tramite/${v.tramite}/identificar`, {
        error: v.mensaje,
        token: v.token,
      });
    }
    const status = {
      trabajador,
      mensaje: v.mensaje,
      tramite: encodeURIComponent(v.tramite),
      token: encodeURIComponent(v.token),
    };
    if (!v.concluido && v.estado !== 'incidente') {
      // Still provisioning: the page refreshes itself until the result is known.
      return this.page(
        'correo-estado',
        'Procesando su solicitud',
        { ...status, enCurso: true, ok: false, correoInstitucional: null },
        {
          refresh: { seconds: 2, url: this.statusUrl(v.tramite, v.token) },
        },
      );
    }
    const ok = v.resultado === 'creada' || v.resultado === 'restablecida';
    return this.page('correo-estado', ok ? 'Listo' : 'Aviso', {
      ...status,
      enCurso: false,
      ok,
      correoInstitucional: v.correoInstitucional ?? null,
    });
  }
}

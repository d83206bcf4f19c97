import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { formatFechaHora } from '../mail/mail-templates';
import { renderPublicError, renderPublicPage } from '../render/pages';
import { passwordRequirements } from '../security/password-policy';
import { ActivationService } from './activation.service';

/**
 * The page the single-use link leads to: the holder sets a password that meets the policy, and the page sets it at
 * the directory. Server-rendered, no script: it works on any phone.
 */
@ApiExcludeController()
@Controller('activar')
export class ActivationController {
  constructor(
    private readonly activation: ActivationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get identity() {
    return identityOf(this.config.institution);
  }

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async form(@Param('token') token: string, @Res() res: Response): Promise<void> {
    try {
      const { direccion, vence } = await this.activation.describe(token);
      res.send(this.formPage(direccion, vence));
    } catch (e) {
      this.fail(res, e);
    }
  }

  @Post(':token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const pw = typeof body.contrasena === 'string' ? body.contrasena : '';
    const confirm = typeof body.confirmacion === 'string' ? body.confirmacion : '';
    try {
      const { direccion } = await this.activation.setPassword(token, pw, confirm);
      res.send(renderPublicPage('activar-listo', 'Contraseña establecida', { direccion }, { identity: this.identity }));
    } catch (e) {
      if (e instanceof DomainError && e.status === 400) {
        const { direccion, vence } = await this.activation
          .describe(token)
          .catch(() => ({ direccion: '', vence: new Date() }));
        res.status(400).send(this.formPage(direccion, vence, e.message));
        return;
      }
      this.fail(res, e);
    }
  }

  private formPage(direccion: string, vence: Date, error?: string): string {
    return renderPublicPage(
      'activar',
      'Establezca su contraseña',
      { direccion, vence: formatFechaHora(vence), requisitos: passwordRequirements(), error: error ?? null },
      { identity: this.identity },
    );
  }

  private fail(res: Response, e: unknown): void {
    if (e instanceof DomainError) {
      res.status(e.status).send(renderPublicError('No fue posible continuar', e.message, { identity: this.identity }));
      return;
    }
    throw e;
  }
}

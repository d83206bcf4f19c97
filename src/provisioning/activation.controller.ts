import { Body, Controller, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../common/domain-error';
import { htmlPage } from '../common/html';
import { formatFechaHora } from '../mail/mail-templates';
import { escapeHtml } from '../render/handlebars';
import { passwordRequirements } from '../security/password-policy';
import { ActivationService } from './activation.service';

const page = htmlPage;

/**
 * The page the single-use link leads to: the holder sets a password that meets the policy, and the page sets it at
 * the directory. Server-rendered, no script: it works on any phone.
 */
@ApiExcludeController()
@Controller('activar')
export class ActivationController {
  constructor(private readonly activation: ActivationService) {}

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async form(@Param('token') token: string, @Res() res: Response): Promise<void> {
    try {
      const { direccion, vence } = await this.activation.describe(token);
      res.send(page('Establezca su contraseña', this.form_(direccion, vence)));
    } catch (e) {
      this.fail(res, e);
    }
  }

  @Post(':token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(@Param('token') token: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const pw = typeof body.contrasena === 'string' ? body.contrasena : '';
    const confirm = typeof body.confirmacion === 'string' ? body.confirmacion : '';
    try {
      const { direccion } = await this.activation.setPassword(token, pw, confirm);
      res.send(
        page(
          'Contraseña establecida',
          `<p class="ok">Listo. Ya puede entrar a <strong>${escapeHtml(direccion)}</strong> con la contraseña que eligió.</p><p>Por seguridad, este enlace ya no funciona.</p>`,
        ),
      );
    } catch (e) {
      if (e instanceof DomainError && e.status === 400) {
        const { direccion, vence } = await this.activation.describe(token).catch(() => ({ direccion: '', vence: new Date() }));
        res.status(400).send(page('Establezca su contraseña', `<p class="error">${escapeHtml(e.message)}</p>${this.form_(direccion, vence)}`));
        return;
      }
      this.fail(res, e);
    }
  }

  private form_(direccion: string, vence: Date): string {
    const reqs = passwordRequirements().map((r) => `<li>${escapeHtml(r)}</li>`).join('');
    return `<p>Cuenta: <strong>${escapeHtml(direccion)}</strong><br><small>Este enlace vence el ${escapeHtml(formatFechaHora(vence))} y solo se puede usar una vez.</small></p>
<form method="post"><label for="contrasena">Nueva contraseña</label><input id="contrasena" name="contrasena" type="password" autocomplete="new-password" required minlength="12">
<label for="confirmacion">Confirme la contraseña</label><input id="confirmacion" name="confirmacion" type="password" autocomplete="new-password" required minlength="12">
<p><small>La contraseña debe cumplir:</small></p><ul>${reqs}</ul><button type="submit">Guardar contraseña</button></form>`;
  }

  private fail(res: Response, e: unknown): void {
    if (e instanceof DomainError) {
      res.status(e.status).send(page('No fue posible continuar', `<p class="error">${escapeHtml(e.message)}</p>`));
      return;
    }
    throw e;
  }
}

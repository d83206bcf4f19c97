import { Body, Controller, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../common/domain-error';
import { escapeHtml, formatFechaHora } from '../mail/mail-templates';
import { passwordRequirements } from '../security/password-policy';
import { ActivationService } from './activation.service';

const page = (title: string, body: string): string => `<!doctype html>
<html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — Mi Correo Institucional</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d2a24}
h1{font-size:1.4rem;color:#0b5d3b}label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.6rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.2rem;padding:.7rem 1.2rem;font-size:1rem;background:#0b5d3b;color:#fff;border:0;border-radius:4px}
.error{background:#fde8e8;border-left:4px solid #b42318;padding:.6rem}.ok{background:#e7f6ec;border-left:4px solid #0b5d3b;padding:.6rem}
small{color:#555}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

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

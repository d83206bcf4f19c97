import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { renderPublicPage } from '../render/pages';

/**
 * The front door (`/`): what the site is and the two ways in — a worker's self-service («Obtener mi correo
 * institucional», Guía 5.1.1, and «Restablecer mi contraseña», 5.1.2) and the staff sign-in («Personal»). Public, no
 * session, no script.
 */
@ApiExcludeController()
@Controller()
export class LandingPage {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  home(): string {
    return renderPublicPage('inicio', 'Mi Correo Institucional', {}, { identity: identityOf(this.config.institution) });
  }
}

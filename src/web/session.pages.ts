import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChangePasswordDto, LoginDto } from '../auth/auth.dto';
import { AllowMustChangePassword, cookieOf, FormTokenChecked, StaffAuthGuard, tokenOf } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { forgedRequest, fromAnotherOrigin } from '../auth/csrf';
import { clearSessionCookie, setSessionCookie, setSignInFormCookie, SIGN_IN_FORM_COOKIE } from '../auth/session-cookie';
import { clientAddress, setRetryAfter } from '../common/rate-limit';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf, type Identity } from '../render/identity';
import { DomainError } from '../common/domain-error';
import { type FieldError, type FieldLabels, type Form, formErrors, readForm, validateDto } from './forms';
import { avisoOf, type Chrome, homeOf, staffPage } from './layout';
import {
  CsrfTokens,
  PageChrome,
  PageFilter,
  PageGuard,
  type PageRequest,
  safeNext,
  seeOther,
  sendHtml,
} from './page-auth';
import { projectPath } from '../config/project-root';

/** The staff pages' assets (public/personal/ of the product's folder); undefined when an install left them out. */
const ASSETS_DIR = existsSync(projectPath('public', 'personal')) ? projectPath('public', 'personal') : undefined;
const ASSET_TYPES: Record<string, string> = {
  'personal.css': 'text/css; charset=utf-8',
  'personal.js': 'text/javascript; charset=utf-8',
};
const assets = new Map<string, Buffer>();

/** The purpose of the sign-in form's token (a MAC of the pre-session cookie). */
const SIGN_IN_FORM = 'entrar';

const POLICY =
  'Al menos 12 caracteres. No debe ser una contraseña común ni contener su usuario o su nombre. Una frase de varias palabras es fácil de recordar y difícil de adivinar.';

const LOGIN_LABELS: FieldLabels = { usuario: 'Usuario', contrasena: 'Contraseña' };
const PASSWORD_LABELS: FieldLabels = {
  actual: 'Contraseña actual',
  nueva: 'Nueva contraseña',
  confirmacion: 'Confirme la nueva contraseña',
};
/** The field of the password form a refusal of AuthService.changePassword is about. */
const PASSWORD_FIELD: Record<string, string> = {
  CREDENCIALES_INVALIDAS: 'actual',
  CONTRASENA_REPETIDA: 'nueva',
  CONTRASENA_DEBIL: 'nueva',
  CONFIRMACION_DISTINTA: 'confirmacion',
};

type Messages = { aviso?: string | null; error?: string | null; campos?: FieldError[] };

/** Sign-in, sign-out and the first-login password change for the staff (the REST API's /api/auth, as pages). */
@ApiExcludeController()
@FormTokenChecked()
@UseFilters(PageFilter)
@Controller('personal')
export class SessionPages {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly csrf: CsrfTokens,
  ) {}

  private get identity(): Identity {
    return identityOf(this.config.institution);
  }

  @Get()
  @UseGuards(StaffAuthGuard, PageGuard)
  home(@PageChrome() chrome: Chrome, @Res() res: Response): void {
    seeOther(res, chrome.staff ? homeOf(chrome.staff) : '/personal/entrar');
  }

  @Get('entrar')
  async loginForm(
    @Req() req: PageRequest,
    @Query('siguiente') next: unknown,
    @Query('aviso') aviso: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const token = tokenOf(req);
    const staff = token ? await this.auth.authenticate(token) : null;
    if (staff) {
      seeOther(res, staff.mustChangePassword ? '/personal/contrasena' : (safeNext(next) ?? homeOf(staff)));
      return;
    }
    this.sendLoginPage(req, res, { siguiente: safeNext(next) ?? '' }, { aviso: avisoOf(aviso) });
  }

  /**
   * Login CSRF: the form's token is a MAC of a random pre-session cookie of this browser, so a page elsewhere cannot
   * sign the browser into an account of its choosing; and a post the browser marks as coming from another site or
   * port is refused (a page on another port could set that cookie: cookies do not tell ports apart).
   */
  @Post('entrar')
  async login(@Req() req: PageRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readForm(body);
    const next = safeNext(form.siguiente);
    try {
      const preSession = cookieOf(req, SIGN_IN_FORM_COOKIE);
      if (
        fromAnotherOrigin(req) ||
        !preSession ||
        !this.csrf.matches(preSession, SIGN_IN_FORM, '', (body as { _csrf?: unknown } | undefined)?._csrf)
      )
        throw forgedRequest();
      const dto = await validateDto(
        LoginDto,
        { usuario: (form.usuario ?? '').trim().toLowerCase(), contrasena: form.contrasena ?? '' },
        LOGIN_LABELS,
      );
      const out = await this.signIn(dto.usuario, dto.contrasena, req, res);
      seeOther(res, out.mustChangePassword ? '/personal/contrasena' : (next ?? homeOf(out)));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      setRetryAfter(res, e);
      this.sendLoginPage(
        req,
        res,
        { usuario: form.usuario ?? '', siguiente: next ?? '' },
        formErrors(e, LOGIN_LABELS),
        e.status,
      );
    }
  }

  @Get('salir')
  async logoutPage(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const token = tokenOf(req);
    const staff = token ? await this.auth.authenticate(token) : null;
    if (!staff || !token) {
      seeOther(res, '/personal/entrar');
      return;
    }
    const chrome: Chrome = { staff, csrf: this.csrf.tokenFor(token), path: '/personal/salir', identity: this.identity };
    sendHtml(res, staffPage(chrome, 'salir', 'Cerrar sesión', {}, { narrow: true }));
  }

  @Post('salir')
  @UseGuards(StaffAuthGuard, PageGuard)
  @AllowMustChangePassword()
  async logout(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    await this.auth.logout(req.token ?? '');
    clearSessionCookie(res);
    seeOther(res, '/personal/entrar?aviso=salida');
  }

  @Get('contrasena')
  @UseGuards(StaffAuthGuard, PageGuard)
  @AllowMustChangePassword()
  passwordForm(@PageChrome() chrome: Chrome, @Res() res: Response): void {
    sendHtml(res, this.passwordPage(chrome));
  }

  @Post('contrasena')
  @UseGuards(StaffAuthGuard, PageGuard)
  @AllowMustChangePassword()
  async changePassword(
    @PageChrome() chrome: Chrome,
    @Req() req: PageRequest,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const staff = chrome.staff!;
    const form = readForm(body);
    try {
      if ((form.nueva ?? '') !== (form.confirmacion ?? ''))
        throw new DomainError('CONFIRMACION_DISTINTA', 'La confirmación no coincide con la nueva contraseña.', 400);
      const dto = await validateDto(
        ChangePasswordDto,
        { actual: form.actual ?? '', nueva: form.nueva ?? '' },
        PASSWORD_LABELS,
      );
      await this.auth.changePassword(staff.id, dto.actual, dto.nueva);
      // Changing the password ends every session, this one too: sign in again with the new one.
      const out = await this.signIn(staff.usuario, dto.nueva, req, res);
      seeOther(res, `${homeOf(out)}?aviso=contrasena`);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const campo = PASSWORD_FIELD[e.code];
      const problems = campo ? [{ campo, mensaje: e.message }] : undefined;
      sendHtml(res, this.passwordPage(chrome, formErrors(e, PASSWORD_LABELS, { problems })), e.status);
    }
  }

  private async signIn(usuario: string, contrasena: string, req: PageRequest, res: Response) {
    const { token, expiresAt, user } = await this.auth.login(usuario, contrasena, clientAddress(req));
    setSessionCookie(res, token, expiresAt, this.config);
    return user;
  }

  /** The stylesheet and the small progressive-enhancement script (public/personal/), read once. */
  @Get('recursos/:archivo')
  asset(@Param('archivo') name: string, @Res() res: Response): void {
    const type = ASSET_TYPES[name];
    if (!type || !ASSETS_DIR) throw new DomainError('NO_ENCONTRADO', 'El recurso no existe.', 404);
    let data = assets.get(name);
    if (!data) {
      data = readFileSync(resolve(ASSETS_DIR, name));
      assets.set(name, data);
    }
    res.status(200).type(type).setHeader('Cache-Control', 'public, max-age=300');
    res.send(data);
  }

  /** The sign-in page, with this browser's pre-session cookie (made on its first visit) and the form token bound to it. */
  private sendLoginPage(req: PageRequest, res: Response, values: Form, msg: Messages, status = 200): void {
    let preSession = cookieOf(req, SIGN_IN_FORM_COOKIE);
    if (!preSession || !/^[\w-]{32}$/.test(preSession)) {
      preSession = randomBytes(24).toString('base64url');
      setSignInFormCookie(res, preSession, this.config);
    }
    sendHtml(res, this.loginPage(values, msg, this.csrf.mac(preSession, SIGN_IN_FORM)), status);
  }

  private loginPage(values: Form, msg: Messages, formToken: string): string {
    const chrome: Chrome = { staff: null, csrf: formToken, path: '/personal/entrar', identity: this.identity };
    return staffPage(
      chrome,
      'entrar',
      'Acceso del personal',
      { usuario: values.usuario ?? '', siguiente: values.siguiente ?? '' },
      { ...msg, narrow: true },
    );
  }

  private passwordPage(chrome: Chrome, msg: Messages = {}): string {
    const forced = chrome.staff?.mustChangePassword === true;
    return staffPage(
      chrome,
      'contrasena',
      forced ? 'Cambie su contraseña de primer ingreso' : 'Cambiar contraseña',
      { primerIngreso: forced, usuario: chrome.staff?.usuario ?? '', politica: POLICY },
      { ...msg, narrow: true },
    );
  }
}

import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientAddress, setRetryAfter } from '../common/rate-limit';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ChangePasswordDto, LoginDto } from './auth.dto';
import { AllowMustChangePassword, CurrentStaff, CurrentToken, StaffAuthGuard } from './auth.guard';
import { type AuthenticatedStaff, AuthService } from './auth.service';
import { CsrfTokens } from './csrf';
import { clearSessionCookie, setSessionCookie } from './session-cookie';

@ApiTags('sesión')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly csrf: CsrfTokens,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Inicia sesión del personal; devuelve un token (Bearer) y fija la cookie de sesión',
    description:
      'Con la cookie (un navegador), cada POST/PUT/PATCH/DELETE a /api lleva el encabezado X-CSRF-Token con el valor de «csrf».',
  })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { token, expiresAt, user } = await this.auth
      .login(dto.usuario, dto.contrasena, clientAddress(req))
      .catch((e: unknown) => {
        setRetryAfter(res, e);
        throw e;
      });
    setSessionCookie(res, token, expiresAt, this.config);
    return {
      token,
      csrf: this.csrf.tokenFor(token),
      expira: expiresAt.toISOString(),
      usuario: user.usuario,
      nombre: user.nombre,
      rol: user.role,
      nivel: user.nivelClave,
      debeCambiarContrasena: user.mustChangePassword,
    };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  async logout(@CurrentToken() token: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(token);
    clearSessionCookie(res);
  }

  @Get('yo')
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  me(@CurrentStaff() staff: AuthenticatedStaff, @CurrentToken() token: string) {
    return {
      csrf: this.csrf.tokenFor(token),
      usuario: staff.usuario,
      nombre: staff.nombre,
      rol: staff.role,
      nivel: staff.nivelClave,
      debeCambiarContrasena: staff.mustChangePassword,
    };
  }

  @Post('contrasena')
  @HttpCode(204)
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cambia la contraseña (obligatorio en el primer ingreso); cierra las demás sesiones' })
  async change(@CurrentStaff() staff: AuthenticatedStaff, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(staff.id, dto.actual, dto.nueva);
  }
}

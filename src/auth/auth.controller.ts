import { Body, Controller, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { checkPassword } from '../security/password-policy';
import { AllowMustChangePassword, CurrentStaff, CurrentToken, SESSION_COOKIE, StaffAuthGuard } from './auth.guard';
import { type AuthenticatedStaff, AuthService } from './auth.service';

class LoginDto {
  @ApiProperty({ example: 'subjefatura' })
  @IsString({ message: 'Escriba su usuario.' })
  @MinLength(1, { message: 'Escriba su usuario.' })
  @MaxLength(60, { message: 'El usuario es demasiado largo.' })
  usuario!: string;

  @ApiProperty()
  @IsString({ message: 'Escriba su contraseña.' })
  @MinLength(1, { message: 'Escriba su contraseña.' })
  @MaxLength(200, { message: 'La contraseña es demasiado larga.' })
  contrasena!: string;
}

class ChangePasswordDto {
  @ApiProperty()
  @IsString({ message: 'Escriba su contraseña actual.' })
  @MaxLength(200, { message: 'La contraseña es demasiado larga.' })
  actual!: string;

  @ApiProperty({ description: 'Al menos 12 caracteres; no debe ser una contraseña común ni contener su usuario o nombre.' })
  @IsString({ message: 'Escriba la nueva contraseña.' })
  @MaxLength(200, { message: 'La contraseña es demasiado larga.' })
  nueva!: string;
}

@ApiTags('sesión')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Inicia sesión del personal; devuelve un token (Bearer) y fija la cookie de sesión' })
  async login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response) {
    const { token, expiresAt, user } = await this.auth.login(dto.usuario, dto.contrasena);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: this.config.publicBaseUrl.startsWith('https:'), expires: expiresAt, path: '/' });
    return { token, expira: expiresAt.toISOString(), usuario: user.usuario, nombre: user.nombre, rol: user.role, nivel: user.nivelClave, debeCambiarContrasena: user.mustChangePassword };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  async logout(@CurrentToken() token: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('yo')
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  me(@CurrentStaff() staff: AuthenticatedStaff) {
    return { usuario: staff.usuario, nombre: staff.nombre, rol: staff.role, nivel: staff.nivelClave, debeCambiarContrasena: staff.mustChangePassword };
  }

  @Post('contrasena')
  @HttpCode(204)
  @UseGuards(StaffAuthGuard)
  @AllowMustChangePassword()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cambia la contraseña (obligatorio en el primer ingreso); cierra las demás sesiones' })
  async change(@CurrentStaff() staff: AuthenticatedStaff, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(staff.id, dto.actual, dto.nueva, (pw, u) => checkPassword(pw, { localPart: u.usuario, names: [u.nombre] }));
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
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

export class ChangePasswordDto {
  @ApiProperty()
  @IsString({ message: 'Escriba su contraseña actual.' })
  @MaxLength(200, { message: 'La contraseña es demasiado larga.' })
  actual!: string;

  @ApiProperty({
    description: 'Al menos 12 caracteres; no debe ser una contraseña común ni contener su usuario o nombre.',
  })
  @IsString({ message: 'Escriba la nueva contraseña.' })
  @MaxLength(200, { message: 'La contraseña es demasiado larga.' })
  nueva!: string;
}

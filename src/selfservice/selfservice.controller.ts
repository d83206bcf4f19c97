import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Matches, MaxLength } from 'class-validator';
import { IsCurp } from '../validation/decorators';
import { rateLimit } from '../common/rate-limit';
import { SelfServiceService } from './selfservice.service';

const upper = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

class IdentifyDto {
  @ApiProperty({ example: 'GOMC850315MCMRRR09' })
  @Transform(upper)
  @IsString({ message: 'Escriba su CURP.' })
  @IsCurp()
  curp!: string;

  @ApiProperty({ description: 'Clave Única de Registro del Trabajador' })
  @Transform(upper)
  @IsString({ message: 'Escriba su CURT.' })
  @Matches(/^[A-Z0-9]{1,30}$/, { message: 'La CURT solo lleva letras y números (hasta 30).' })
  curt!: string;
}

class TokenDto {
  @ApiProperty()
  @IsString({ message: 'Falta el identificador de su solicitud.' })
  @MaxLength(100)
  token!: string;
}

class RetryDto extends IdentifyDto {
  @ApiProperty()
  @IsString({ message: 'Falta el identificador de su solicitud.' })
  @MaxLength(100)
  token!: string;
}

class ConfirmDto extends TokenDto {
  @ApiProperty({ description: 'true: confirma la creación / el restablecimiento; false: no' })
  @IsBoolean({ message: 'Indique si confirma (true) o no (false).' })
  confirma!: boolean;
}

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** Guía 5.1.1 and 5.1.2 for the worker, without signing in: CURP + CURT, confirmation, result. */
@ApiTags('autoservicio')
@Controller('api/autoservicio')
export class SelfServiceController {
  constructor(private readonly selfService: SelfServiceService) {}

  @Post('alta')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  @ApiOperation({ summary: 'Guía 5.1.1: "Obtener mi correo institucional" con CURP y CURT' })
  alta(@Body() dto: IdentifyDto) {
    return this.selfService.start('personal-alta', dto.curp, dto.curt);
  }

  @Post('restablecer')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  @ApiOperation({ summary: 'Guía 5.1.2: "Restablecer mi contraseña" con CURP y CURT' })
  restablecer(@Body() dto: IdentifyDto) {
    return this.selfService.start('personal-restablecer', dto.curp, dto.curt);
  }

  @Post('tramites/:id/identificar')
  @HttpCode(200)
  @UseGuards(rateLimit(20, 60_000))
  retry(@Param('id', uuid) id: string, @Body() dto: RetryDto) {
    return this.selfService.retry(id, dto.token, dto.curp, dto.curt);
  }

  @Post('tramites/:id/confirmar')
  @HttpCode(200)
  confirm(@Param('id', uuid) id: string, @Body() dto: ConfirmDto) {
    return this.selfService.confirm(id, dto.token, dto.confirma);
  }

  @Get('tramites/:id')
  status(@Param('id', uuid) id: string, @Query() q: TokenDto) {
    return this.selfService.status(id, q.token);
  }
}

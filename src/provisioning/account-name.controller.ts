import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Roles, StaffAuthGuard } from '../auth/auth.guard';
import { AddressAvailability } from './address/address-availability';

class NameQueryDto {
  @ApiProperty({ description: 'Nombre de la cuenta sin dominio (Guía 5.3.1 paso 5)', example: 'becas.colima' })
  @IsString({ message: 'Escriba el nombre de la cuenta.' })
  @MaxLength(200, { message: 'El nombre de la cuenta es demasiado largo.' })
  nombre!: string;
}

/** Whether a Servicio or Función account name is free, for the forms that propose one (the Subjefatura's). */
@ApiTags('cuentas')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('subjefatura')
@Controller('api/cuentas')
export class AccountNameController {
  constructor(private readonly availability: AddressAvailability) {}

  @Get('nombre-disponible')
  @ApiOperation({ summary: 'Dice si el nombre de una cuenta de Servicio o Función está libre en el directorio' })
  @ApiResponse({ status: 200, description: '{ nombre, direccion, disponible, mensaje }' })
  @ApiResponse({ status: 422, description: 'El nombre no cumple las reglas de las cuentas; el mensaje dice por qué.' })
  available(@Query() q: NameQueryDto) {
    return this.availability.serviceName(q.nombre);
  }
}

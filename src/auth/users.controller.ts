import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles, StaffAuthGuard } from './auth.guard';
import type { AuthenticatedStaff } from './auth.service';
import { CreateUserDto } from './staff-users.dto';
import { StaffUsersService } from './staff-users.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('administración')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('administrador')
@Controller('api/admin/usuarios')
export class UsersController {
  constructor(private readonly users: StaffUsersService) {}

  @Get()
  list() {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Crea un usuario del personal; devuelve su contraseña de primer ingreso una sola vez' })
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Post(':id/restablecer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Nueva contraseña de primer ingreso (se muestra una vez); cierra sus sesiones' })
  reset(@Param('id', uuid) id: string) {
    return this.users.reset(id);
  }

  @Post(':id/desactivar')
  @HttpCode(200)
  deactivate(@CurrentStaff() staff: AuthenticatedStaff, @Param('id', uuid) id: string) {
    return this.users.deactivate(id, staff.id);
  }
}

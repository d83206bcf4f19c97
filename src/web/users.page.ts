import { Body, Controller, Get, Injectable, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import { CreateUserDto } from '../auth/staff-users.dto';
import { type StaffUserView, StaffUsersService } from '../auth/staff-users.service';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { type Form, dataOf, readForm, validateDto } from './forms';
import { avisoOf, type Chrome } from './layout';
import { PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { renderUsers } from './users.view';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

export type { StaffUserView };

export interface UsersVm {
  usuarios: StaffUserView[];
  niveles: { value: string; label: string }[];
  /** The form to create a user, as sent when it came back with an error. */
  values: Form;
  /** Shown once, right after it was generated: never stored in clear, never in a URL. */
  contrasena: { usuario: string; nombre: string; valor: string; nueva: boolean } | null;
  error: string | null;
  aviso: string | null;
}

/** Staff users as pages: the same operations as /api/admin/usuarios (UsersController), for administrators. */
@Injectable()
export class UsersPageService {
  constructor(
    private readonly users: StaffUsersService,
    private readonly catalog: CatalogRecords,
  ) {}

  async view(extra: Partial<UsersVm> = {}): Promise<UsersVm> {
    const niveles = await this.catalog.niveles();
    return {
      usuarios: await this.users.list(),
      niveles: niveles.map((n) => ({ value: n.clave, label: `${n.nombre} (${n.clave})` })),
      values: {},
      contrasena: null,
      error: null,
      aviso: null,
      ...extra,
    };
  }

  async create(form: Form): Promise<UsersVm> {
    const values = dataOf(form, ['usuario', 'nombre', 'rol', 'nivel', 'correo']);
    try {
      const clean: Record<string, string> = Object.fromEntries(
        Object.entries(values)
          .map(([k, v]): [string, string] => [k, v.trim()])
          .filter(([k, v]) => v !== '' && (k !== 'nivel' || values.rol === 'nivel')),
      );
      const dto = await validateDto(CreateUserDto, clean);
      const u = await this.users.create(dto);
      return this.view({
        contrasena: { usuario: u.usuario, nombre: u.nombre, valor: u.contrasenaInicial, nueva: true },
      });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return this.view({ values, error: e.message });
    }
  }

  async reset(id: string): Promise<UsersVm> {
    const u = await this.users.reset(id);
    return this.view({
      contrasena: { usuario: u.usuario, nombre: u.nombre, valor: u.contrasenaInicial, nueva: false },
    });
  }

  async deactivate(id: string, actorId: string): Promise<void> {
    await this.users.deactivate(id, actorId);
  }
}

@StaffPages()
@Roles('administrador')
@Controller('admin/usuarios')
export class UsersPage {
  constructor(private readonly pages: UsersPageService) {}

  @Get()
  async list(@PageChrome() chrome: Chrome, @Query('aviso') aviso: unknown, @Res() res: Response): Promise<void> {
    sendHtml(res, renderUsers(chrome, await this.pages.view({ aviso: avisoOf(aviso) })));
  }

  @Post()
  async create(@PageChrome() chrome: Chrome, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const vm = await this.pages.create(readForm(body));
    sendHtml(res, renderUsers(chrome, vm), vm.error ? 400 : 201);
  }

  @Post(':id/restablecer')
  async reset(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    sendHtml(res, renderUsers(chrome, await this.pages.reset(id)));
  }

  @Post(':id/desactivar')
  async deactivate(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    await this.pages.deactivate(id, chrome.staff!.id);
    seeOther(res, '/admin/usuarios?aviso=desactivado');
  }
}

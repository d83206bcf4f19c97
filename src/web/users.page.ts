import { Body, Controller, Get, Injectable, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import { CreateUserDto } from '../auth/staff-users.dto';
import { type StaffUserView, StaffUsersService } from '../auth/staff-users.service';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import {
  type FieldError,
  type FieldLabels,
  type FieldProblem,
  type Form,
  dataOf,
  fieldProblems,
  formErrors,
  readForm,
  validateDto,
} from './forms';
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
  /** The fields of the new-user form the last submission got wrong. */
  campos: FieldError[];
  aviso: string | null;
}

/** The labels of the new-user form (templates/pages/usuarios.hbs), for its error messages. */
const USER_LABELS: FieldLabels = {
  usuario: 'Usuario',
  nombre: 'Nombre completo',
  rol: 'Rol',
  nivel: 'Nivel',
  correo: 'Correo para avisos',
};

/** A refusal placed on its field, in the form's words (the API's names roles and levels by key). */
function userProblems(e: DomainError): FieldProblem[] {
  if (e.code === 'NIVEL_DESCONOCIDO')
    return [{ campo: 'nivel', mensaje: 'Para el rol Nivel, elija el nivel en la lista.' }];
  if (e.code === 'USUARIO_EXISTENTE') return [{ campo: 'usuario', mensaje: e.message }];
  return fieldProblems(e).map((p) => (p.campo === 'rol' ? { ...p, mensaje: 'Elija el rol en la lista.' } : p));
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
      campos: [],
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
      const dto = await validateDto(CreateUserDto, clean, USER_LABELS);
      const u = await this.users.create(dto);
      return this.view({
        contrasena: { usuario: u.usuario, nombre: u.nombre, valor: u.contrasenaInicial, nueva: true },
      });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return this.view({ values, ...formErrors(e, USER_LABELS, { problems: userProblems(e) }) });
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
    sendHtml(res, renderUsers(chrome, vm), vm.error || vm.campos.length ? 400 : 201);
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

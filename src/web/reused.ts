import { Injectable, type Provider } from '@nestjs/common';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuthController } from '../auth/auth.controller';
import { AuthService } from '../auth/auth.service';
import { StaffUser } from '../auth/staff-user.entity';
import { UsersController } from '../auth/users.controller';
import { CatalogController } from '../catalog/catalog.controller';
import { APP_CONFIG, type AppConfig } from '../config/config';

/**
 * The API controllers whose methods hold logic the pages need and no service offers yet: sign-in with its cookie and
 * the password policy (AuthController), staff users (UsersController), catalog searches (CatalogController). The
 * pages call the same methods instead of copying them; their guards do not run here, the page routes have their own.
 */
export const REUSED_CONTROLLERS: Provider[] = [
  { provide: AuthController, inject: [AuthService, APP_CONFIG], useFactory: (auth: AuthService, config: AppConfig) => new AuthController(auth, config) },
  { provide: UsersController, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new UsersController(ds) },
  { provide: CatalogController, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new CatalogController(ds) },
];

/** Staff user ids (movements, task assignees) → the names people recognise. */
@Injectable()
export class StaffNames {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async of(ids: readonly (string | null | undefined)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((i): i is string => !!i && /^[0-9a-f-]{36}$/i.test(i)))];
    if (!wanted.length) return new Map();
    const rows = await this.ds.getRepository(StaffUser).find({ select: { id: true, nombre: true }, where: { id: In(wanted) } });
    return new Map(rows.map((r) => [r.id, r.nombre]));
  }
}

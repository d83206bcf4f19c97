import { Injectable } from '@nestjs/common';
import {
  CatalogRecords,
  type CentroRecord,
  type CuentaRecord,
  type TrabajadorRecord,
} from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import type { AccountHolder } from '../mail/account-mails';
import type { Holder } from './providers/directory-provider';

export interface ResolvedHolder {
  /** What the directory stores. */
  directory: Holder;
  /** Whom the access data are mailed to (alternate address, or the director's). */
  mail: AccountHolder;
}

const fullName = (t: Pick<TrabajadorRecord, 'nombre' | 'primerApellido' | 'segundoApellido'>): string =>
  [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' ');

/** Who holds an account, from the catalogs: a worker by CURP, or a school (and its director) by CCT. */
@Injectable()
export class HoldersService {
  constructor(private readonly catalog: CatalogRecords) {}

  async worker(
    curp: string,
    tipo: 'personal' | 'servicio' | 'funcion',
  ): Promise<ResolvedHolder & { trabajador: TrabajadorRecord }> {
    const t = await this.catalog.trabajador(curp);
    if (!t)
      throw new DomainError(
        'TRABAJADOR_DESCONOCIDO',
        `No hay un trabajador con CURP ${curp} en el catálogo de Capital Humano.`,
        422,
      );
    return {
      trabajador: t,
      directory: {
        kind: 'trabajador',
        curp: t.curp,
        givenName: t.nombre,
        familyName: [t.primerApellido, t.segundoApellido].filter(Boolean).join(' '),
        displayName: fullName(t),
      },
      mail: { tipo, nombre: fullName(t), correoAlterno: t.correoAlterno },
    };
  }

  async centro(cct: string): Promise<ResolvedHolder & { centro: CentroRecord; director: TrabajadorRecord | null }> {
    const c = await this.catalog.centro(cct);
    if (!c)
      throw new DomainError(
        'CCT_DESCONOCIDO',
        `El centro de trabajo ${cct} no está en el Catálogo de Centros de Trabajo.`,
        422,
      );
    const director = c.directorCurp ? await this.catalog.trabajador(c.directorCurp) : null;
    return {
      centro: c,
      director,
      directory: {
        kind: 'centro',
        cct: c.cct,
        givenName: c.nombre,
        familyName: c.cct,
        displayName: `${c.nombre} (${c.cct})`,
      },
      mail: {
        tipo: 'centro_trabajo',
        cct: c.cct,
        centroTrabajo: c.nombre,
        directorNombre: director ? fullName(director) : 'Director(a)',
        // The guide sends a school's access data to its director: the director's alternate address, else the school's.
        directorCorreo: director?.correoAlterno ?? c.correo,
      },
    };
  }

  async ofCuenta(
    cuenta: Pick<CuentaRecord, 'titularTipo' | 'titularCct' | 'titularCurp' | 'tipo'>,
  ): Promise<ResolvedHolder> {
    if (cuenta.titularTipo === 'centro') return this.centro(cuenta.titularCct ?? '');
    const tipo = cuenta.tipo === 'centro_trabajo' ? 'personal' : cuenta.tipo;
    return this.worker(cuenta.titularCurp ?? '', tipo);
  }
}

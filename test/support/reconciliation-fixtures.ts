import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import type { DirectoryProvider } from '../../src/provisioning/providers/directory-provider';

/** A worker Capital Humano has in baja (activo = 0), as a reconciliation finds it. */
export async function workerInBaja(ds: DataSource, curp: string, ultimaImportacion: Date | null = null): Promise<void> {
  await ds.getRepository(Trabajador).insert({
    curp,
    curt: `CT${curp.slice(6, 10)}`,
    nombre: 'Luis',
    primerApellido: 'Castañeda',
    segundoApellido: null,
    nombreBusqueda: 'castaneda luis',
    correoAlterno: null,
    cct: null,
    nivelClave: null,
    activo: false,
    ultimaImportacion,
  });
}

/** An active account of a worker, as the system records it (provisioned or not: the directory is the caller's). */
export async function workerAccount(
  ds: DataSource,
  a: { localPart: string; tipo: 'personal' | 'servicio'; curp: string; proveedor?: string; proveedorId?: string },
): Promise<Cuenta> {
  const row = ds.getRepository(Cuenta).create({
    id: randomUUID(),
    direccion: `${a.localPart}@colima.gob.mx`,
    localPart: a.localPart,
    dominio: 'colima.gob.mx',
    tipo: a.tipo,
    titularTipo: 'trabajador',
    titularCurp: a.curp,
    titularCct: null,
    estado: 'activa',
    proveedor: a.proveedor ?? 'local',
    proveedorId: a.proveedorId ?? `p-${a.localPart}`,
  });
  await ds.getRepository(Cuenta).insert(row);
  return row;
}

/** An account the system created: its entry in the directory through the adapter, and its row. */
export async function provisionedAccount(
  ds: DataSource,
  directory: DirectoryProvider,
  localPart: string,
  tipo: 'personal' | 'servicio',
  curp: string,
): Promise<Cuenta> {
  const acc = await directory.create({
    address: `${localPart}@colima.gob.mx`,
    tipo,
    holder: { kind: 'trabajador', curp, givenName: 'Luis', familyName: 'Castañeda', displayName: 'Luis Castañeda' },
    password: 'Inicial.2026!x',
    changeAtNextLogin: false,
  });
  return workerAccount(ds, { localPart, tipo, curp, proveedor: directory.name, proveedorId: acc.providerId });
}

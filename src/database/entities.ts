import { StaffUser } from '../auth/staff-user.entity';
import { CentroTrabajo } from '../catalog/entities/centro-trabajo.entity';
import { Cuenta, CuentaHistorial } from '../catalog/entities/cuenta.entity';
import { Nivel } from '../catalog/entities/nivel.entity';
import { Trabajador } from '../catalog/entities/trabajador.entity';

export const ENTITIES = [Nivel, CentroTrabajo, Trabajador, Cuenta, CuentaHistorial, StaffUser];

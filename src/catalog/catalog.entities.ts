import { CentroTrabajo } from './entities/centro-trabajo.entity';
import { ConciliacionCorrida, ConciliacionHallazgo, ConciliacionVisto } from './entities/conciliacion.entity';
import { Cuenta, CuentaHistorial } from './entities/cuenta.entity';
import { Nivel } from './entities/nivel.entity';
import { Trabajador } from './entities/trabajador.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const CATALOG_ENTITIES = [
  Nivel,
  CentroTrabajo,
  Trabajador,
  Cuenta,
  CuentaHistorial,
  ConciliacionCorrida,
  ConciliacionHallazgo,
  ConciliacionVisto,
];

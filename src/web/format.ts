import type { ActorRole } from '../../machines/types';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { ROLE_LABEL } from '../auth/actor';
import { STANDARD_NIVELES } from '../catalog/import/niveles';
import { mexicoCityParts } from '../letters/fecha';

const pad = (n: number): string => String(n).padStart(2, '0');

const toDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));

/** "28/11/2026 11:05" in America/Mexico_City; what a clerk reads in a table. */
export function fechaHora(v: string | Date): string {
  const p = mexicoCityParts(toDate(v));
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** "28/11/2026" in America/Mexico_City. */
export function fecha(v: string | Date): string {
  const p = mexicoCityParts(toDate(v));
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** An ISO date (AAAA-MM-DD, no time) as the oficio carries it: "20/11/2026". */
export function fechaIso(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}

/** Value for an `<input type="datetime-local">` showing a moment in Mexico City. */
export function datetimeLocalMx(v: Date): string {
  const p = mexicoCityParts(v);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A `datetime-local` value typed in Colima → ISO 8601 with its offset. Mexico City has been UTC-6 all year since
 * 2022 (no daylight saving), so the offset is fixed.
 */
export function datetimeLocalToIso(v: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00-06:00` : v;
}

/**
 * A level's key as a person reads it: "PRIMARIA" → "Primaria", "MEDIA_SUPERIOR" → "Media Superior" (the guide's
 * levels by their catalog name; any other key in words).
 */
export function nivelNombre(clave: string): string {
  const standard = STANDARD_NIVELES.find((n) => n.clave === clave);
  if (standard) return standard.nombre;
  return clave
    .toLowerCase()
    .split('_')
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** "Subjefatura de Sistemas", "Nivel Primaria". */
export function roleName(staff: Pick<AuthenticatedStaff, 'role' | 'nivelClave'>): string {
  return staff.role === 'nivel' && staff.nivelClave ? `Nivel ${nivelNombre(staff.nivelClave)}` : ROLE_LABEL[staff.role];
}

export const roleLabel = (role: string): string => ROLE_LABEL[role as ActorRole] ?? role;

export const SITUACION_LABEL: Record<string, string> = {
  activo: 'En curso',
  concluido: 'Concluido',
  incidente: 'Incidente',
};

export const RESULTADO_LABEL: Record<string, string> = {
  creada: 'Cuenta creada',
  restablecida: 'Contraseña restablecida',
  reasignada: 'Cuenta reasignada',
  bloqueada: 'Cuenta bloqueada',
  cancelada: 'Cancelado',
  rechazada: 'Rechazado',
  no_confirmada: 'No confirmado',
  sin_correo_alterno: 'Sin correo alterno',
  datos_incorrectos: 'Datos incorrectos',
  cuenta_existente: 'Ya tenía cuenta',
  sin_cuenta: 'Sin cuenta',
  cuenta_bloqueada: 'Cuenta bloqueada: sin restablecer',
  expirada: 'Expirado',
};

export const PRIORIDAD_LABEL: Record<string, string> = { alta: 'Alta', normal: 'Normal', baja: 'Baja' };

/** "1.2 MB", "830 KB". */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** The levels of the catalog as the options of a select: the clave sent, the name shown. */
export const nivelOptions = (
  niveles: readonly { clave: string; nombre: string }[],
): { value: string; label: string }[] => niveles.map((n) => ({ value: n.clave, label: n.nombre }));

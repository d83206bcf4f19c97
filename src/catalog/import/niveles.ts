import type { DataSource, EntityManager } from 'typeorm';
import { Nivel } from '../entities/nivel.entity';

/** The five levels of the guide (3. Términos y definiciones), present in every installation. */
export const STANDARD_NIVELES: readonly { clave: string; nombre: string }[] = [
  { clave: 'PREESCOLAR', nombre: 'Preescolar' },
  { clave: 'PRIMARIA', nombre: 'Primaria' },
  { clave: 'SECUNDARIA', nombre: 'Secundaria' },
  { clave: 'MEDIA_SUPERIOR', nombre: 'Media Superior' },
  { clave: 'SUPERIOR', nombre: 'Superior' },
];

const CLAVE_MAX = 40;
const NOMBRE_MAX = 120;

/** Upper snake case without accents: "Media Superior" → MEDIA_SUPERIOR, "Educación Especial" → EDUCACION_ESPECIAL. */
export function nivelClave(nombre: string): string {
  return nombre
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Why a level as written in a file cannot be used; null when it can. */
export function nivelProblem(nombre: string): string | null {
  const clave = nivelClave(nombre);
  if (clave === '') return `El nivel «${nombre}» no tiene letras ni dígitos.`;
  if (clave.length > CLAVE_MAX || nombre.length > NOMBRE_MAX)
    return `El nivel «${nombre.slice(0, 40)}…» es demasiado largo.`;
  return null;
}

/**
 * Makes sure the standard levels and the given ones (clave → nombre as written in the data) exist; returns the
 * levels it created. Existing levels keep their name: the catalog, not each file, owns how a level is called.
 */
export async function ensureNiveles(
  db: DataSource | EntityManager,
  wanted: ReadonlyMap<string, string> = new Map(),
): Promise<{ clave: string; nombre: string }[]> {
  const repo = db.getRepository(Nivel);
  const existing = new Set((await repo.find({ select: { clave: true } })).map((n) => n.clave));
  const missing = new Map<string, string>();
  for (const n of STANDARD_NIVELES) if (!existing.has(n.clave)) missing.set(n.clave, n.nombre);
  for (const [clave, nombre] of wanted) if (!existing.has(clave) && !missing.has(clave)) missing.set(clave, nombre);
  if (missing.size > 0) {
    await repo.insert([...missing].map(([clave, nombre]) => ({ clave, nombre })));
  }
  return [...missing].map(([clave, nombre]) => ({ clave, nombre }));
}

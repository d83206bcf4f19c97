import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { Movement, MovementHead } from './entities/movement.entity';
import { type ChainProblem, ChainVerifier } from './movement-chain';

/**
 * Reads the movement log in pages (it may hold millions of rows) and verifies the whole hash chain. A missing head
 * row is one more problem of the log (someone deleted it), reported with the rest; a database without the schema is
 * a DomainError saying to migrate.
 */
export async function verifyMovementLog(
  ds: DataSource,
  onProgress?: (checked: number) => void,
): Promise<{ checked: number; problems: ChainProblem[] }> {
  if (await ds.showMigrations()) {
    throw new DomainError(
      'BITACORA_SIN_ESQUEMA',
      'La base de datos no tiene las tablas del sistema al día (¿es la base correcta? revise DATA_DIR o DATABASE_URL); ' +
        'si lo es, aplique las migraciones con: npm run migration:run',
      409,
    );
  }
  const head = await ds.getRepository(MovementHead).findOneBy({ id: 1 });
  const repo = ds.getRepository(Movement);
  const PAGE = 5000;
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await repo
      .createQueryBuilder('m')
      .where('m.seq > :after', { after })
      .orderBy('m.seq', 'ASC')
      .take(PAGE)
      .getMany();
    if (page.length === 0) break;
    for (const r of page) verifier.push(r);
    after = page[page.length - 1].seq;
    onProgress?.(verifier.checked);
  }
  if (head === null) {
    verifier.problems.push({
      seq: after,
      problema: 'cabeza',
      detalle:
        'falta la cabeza de la cadena (tabla movement_head, fila 1): alguien la borró, y sin ella no se puede saber si ' +
        'también se borraron los movimientos más recientes; el sistema no registrará movimientos nuevos hasta restaurarla ' +
        'desde un respaldo',
    });
    return { checked: verifier.checked, problems: verifier.problems };
  }
  return verifier.finish(head);
}

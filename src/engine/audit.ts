import type { DataSource } from 'typeorm';
import { Movement, MovementHead } from './entities/movement.entity';
import { type ChainProblem, ChainVerifier } from './movement-chain';

/** Reads the movement log in pages (it may hold millions of rows) and verifies the whole hash chain. */
export async function verifyMovementLog(ds: DataSource, onProgress?: (checked: number) => void): Promise<{ checked: number; problems: ChainProblem[] }> {
  const head = await ds.getRepository(MovementHead).findOneByOrFail({ id: 1 });
  const repo = ds.getRepository(Movement);
  const PAGE = 5000;
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await repo.createQueryBuilder('m').where('m.seq > :after', { after }).orderBy('m.seq', 'ASC').take(PAGE).getMany();
    if (page.length === 0) break;
    for (const r of page) verifier.push(r);
    after = page[page.length - 1].seq;
    onProgress?.(verifier.checked);
  }
  return verifier.finish(head);
}

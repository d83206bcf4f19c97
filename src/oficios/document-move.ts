import { DomainError } from '../common/domain-error';
import { sha256 } from '../letters/verification';
import { AlteredFileError, type FileStore } from './file-store';

export interface MoveReport {
  /** Files the rows name. */
  total: number;
  /** Copied to the target and read back with the right SHA-256. */
  copied: number;
  /** Already in the target with the right SHA-256. */
  present: number;
  /** Named by a row but in neither store, or altered in the source: listed, never copied. */
  problems: { key: string; why: string }[];
}

/**
 * The file's content (as stored, even when a store that checks its reads found it altered: the SHA-256 checks below
 * list it), or null when the store has no such file (any other failure is thrown).
 */
async function readIfThere(store: FileStore, key: string): Promise<Buffer | null> {
  try {
    return await store.read(key);
  } catch (e) {
    if (e instanceof AlteredFileError) return e.content;
    if (e instanceof DomainError && e.status === 404) return null;
    throw e;
  }
}

/**
 * Copies every file the rows name from one store to the other (`npm run documents:move`), checking the SHA-256 of
 * each: the content read from the source must match its key, and the copy read back from the target too. Re-runnable:
 * what the target already holds intact is left alone. The source keeps its files (remove them once the product runs
 * on the target and a backup of it exists).
 */
export async function moveDocuments(
  keys: Iterable<string>,
  from: FileStore,
  to: FileStore,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<MoveReport> {
  const all = [...keys].sort();
  const report: MoveReport = { total: all.length, copied: 0, present: 0, problems: [] };
  const digestOf = (key: string): string => key.split('/')[1] ?? '';
  for (const [i, key] of all.entries()) {
    const have = await readIfThere(to, key);
    if (have && sha256(have) === digestOf(key)) report.present++;
    else {
      const data = await readIfThere(from, key);
      if (!data) report.problems.push({ key, why: 'no está en el almacén de origen' });
      else if (sha256(data) !== digestOf(key))
        report.problems.push({ key, why: 'su contenido en el origen no coincide con su huella SHA-256' });
      else {
        await to.save(data);
        const back = await readIfThere(to, key);
        if (!back || sha256(back) !== digestOf(key))
          report.problems.push({ key, why: 'la copia leída del destino no coincide con su huella SHA-256' });
        else report.copied++;
      }
    }
    progress(i + 1, all.length);
  }
  return report;
}

import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/config';
import { sha256 } from '../letters/verification';

/** Port: where scanned oficios and issued PDFs live. Keys are content addresses, so saving twice stores once. */
export interface FileStore {
  save(data: Buffer): Promise<StoredFile>;
  read(key: string): Promise<Buffer>;
}

export interface StoredFile {
  key: string;
  sha256: string;
  bytes: number;
}

export const FILE_STORE = Symbol('FILE_STORE');

const KEY = /^[0-9a-f]{2}\/[0-9a-f]{64}$/;

/**
 * Files under `<dataDir>/documentos/<first two hex>/<sha256>`. Writes go to a temporary name and are renamed, so a
 * reader never sees half a file; several web and worker processes must share this folder (one volume).
 */
export class LocalFileStore implements FileStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'documentos');
  }

  save(data: Buffer): Promise<StoredFile> {
    const digest = sha256(data);
    const key = `${digest.slice(0, 2)}/${digest}`;
    const file = join(this.root, key);
    if (!existsSync(file)) {
      ensurePrivateDir(dirname(file));
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
        renameSync(tmp, file);
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    return Promise.resolve({ key, sha256: digest, bytes: data.length });
  }

  async read(key: string): Promise<Buffer> {
    if (!KEY.test(key)) throw new DomainError('ARCHIVO_NO_ENCONTRADO', 'El archivo solicitado no existe.', 404);
    try {
      return await readFile(join(this.root, key));
    } catch {
      throw new DomainError('ARCHIVO_NO_ENCONTRADO', 'El archivo solicitado no existe en el almacén de documentos.', 404);
    }
  }
}

import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeadExport } from './transparency-log';
import { publishedHead, type SignedTreeHead } from './tree-head';

/**
 * Writes every new signed head out of the database, to a directory another machine collects (AUDIT_HEADS_DIR):
 * `cabeza.json` is always the newest (replaced atomically) and `cabezas-AAAA-MM-DD.jsonl` (UTC day) gets one line per
 * head. Whoever keeps those files can later prove, with `npm run audit:verify -- --desde FILE`, that the log only grew.
 */
export class DirectoryHeadExport implements HeadExport {
  private ready = false;

  constructor(private readonly dir: string) {}

  async publish(head: SignedTreeHead): Promise<void> {
    if (!this.ready) {
      await mkdir(this.dir, { recursive: true });
      this.ready = true;
    }
    const json = JSON.stringify(publishedHead(head));
    await appendFile(join(this.dir, `cabezas-${head.timestamp.slice(0, 10)}.jsonl`), `${json}\n`);
    const tmp = join(this.dir, `.cabeza.${process.pid}.tmp`);
    await writeFile(tmp, `${json}\n`);
    await rename(tmp, join(this.dir, 'cabeza.json'));
  }
}

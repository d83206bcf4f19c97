import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * The product's folder (where its package.json is), found upward from this file: the same whether the code runs from
 * src/ (`npm start`) or from the build's dist/src/ (`npm run start:prod`, the Docker image), and whatever the working
 * directory. templates/, public/, docs/ are read from here; a path counted in `..` from __dirname is right in one of
 * the two layouts only.
 */
export const PROJECT_ROOT = findRoot(__dirname);

/** A path under the product's folder. */
export const projectPath = (...parts: string[]): string => resolve(PROJECT_ROOT, ...parts);

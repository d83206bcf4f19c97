#!/usr/bin/env node
// @ts-check
/**
 * The import graph of the product (src/ and machines/, specs excluded), folded to one node per folder (a module:
 * src/engine, src/queue, machines...), and the house rules it must keep (issue 10). `npm run check` runs it.
 *
 *   node scripts/import-graph.js            check the rules; exit 1 with the offending imports
 *   node scripts/import-graph.js --mermaid  print the folder graph as a Mermaid flowchart (for the README and notes)
 *   node scripts/import-graph.js --edges    print every folder edge with the number of imports behind it
 *
 * Rules:
 * 1. No two folders import each other (directly: a → b and b → a).
 * 2. Infrastructure (database, queue, common, config, render) imports no feature: it is the floor the features stand on.
 * 3. No folder imports another folder's entities (`*.entity.ts`, or its `<module>.entities.ts` list): a module owns its
 *    tables and is reached through its service. Only the composition root (src/entities.ts) gathers every module's list.
 * 4. machines/ imports nothing from src/ (the procedures are pure).
 * Composition (the files at the root of src/, and src/cli) may import anything; nothing else imports it.
 *
 * It reads imports with TypeScript's own pre-processor (ts.preProcessFile), so `import type` counts too: a type is a
 * dependency. (madge was the first choice; its release needs TypeScript 5 and this project compiles with 6.)
 */
const { readFileSync, readdirSync, statSync, existsSync } = require('node:fs');
const { join, relative, dirname, resolve, sep } = require('node:path');
const ts = require('typescript');

const ROOT = resolve(__dirname, '..');
const INFRA = new Set(['database', 'queue', 'common', 'config', 'render']);
const COMPOSITION = new Set(['(root)', 'cli']);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.spec.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The folder (module) a file belongs to. */
function folderOf(file) {
  const rel = relative(ROOT, file).split(sep);
  if (rel[0] === 'machines') return 'machines';
  if (rel[0] === 'src') return rel.length === 2 ? '(root)' : rel[1];
  return rel[0];
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const c of [base + '.ts', join(base, 'index.ts'), base]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

function graph() {
  const files = [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'machines'))];
  /** @type {Array<{from: string, to: string, a: string, b: string}>} */
  const imports = [];
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const target = resolveImport(file, ref.fileName);
      if (!target || target.endsWith('.json') || target.endsWith('.txt')) continue;
      imports.push({ from: relative(ROOT, file), to: relative(ROOT, target), a: folderOf(file), b: folderOf(target) });
    }
  }
  return imports;
}

function check(imports) {
  const problems = [];
  const between = new Map();
  for (const i of imports) {
    if (i.a === i.b) continue;
    const key = `${i.a} → ${i.b}`;
    if (!between.has(key)) between.set(key, []);
    between.get(key).push(i);
  }
  const seen = new Set();
  for (const [key, list] of between) {
    const [a, b] = key.split(' → ');
    const back = between.get(`${b} → ${a}`);
    if (back && !seen.has(`${b}|${a}`)) {
      seen.add(`${a}|${b}`);
      problems.push(
        `Dependencia en dos sentidos entre ${a} y ${b}:\n` +
          [...list, ...back].map((i) => `    ${i.from} → ${i.to}`).join('\n'),
      );
    }
    if (INFRA.has(a) && !INFRA.has(b)) {
      problems.push(
        `La infraestructura (${a}) importa una funcionalidad (${b}):\n` +
          list.map((i) => `    ${i.from} → ${i.to}`).join('\n'),
      );
    }
    if (COMPOSITION.has(b) && !COMPOSITION.has(a)) {
      problems.push(`${a} importa la composición (${b}):\n` + list.map((i) => `    ${i.from} → ${i.to}`).join('\n'));
    }
    if (a === 'machines') {
      problems.push(`machines/ importa de src/ (${b}):\n` + list.map((i) => `    ${i.from} → ${i.to}`).join('\n'));
    }
    const entities = list.filter((i) => /\.entit(y|ies)\.ts$/.test(i.to));
    if (entities.length > 0 && !COMPOSITION.has(a)) {
      problems.push(
        `${a} importa entidades de ${b} (use su servicio):\n` +
          entities.map((i) => `    ${i.from} → ${i.to}`).join('\n'),
      );
    }
  }
  return { problems, between };
}

module.exports = { check, folderOf, INFRA };

if (require.main === module) main();

function main() {
  const imports = graph();
  const { problems, between } = check(imports);
  if (process.argv.includes('--edges')) {
    for (const [key, list] of [...between].sort()) console.log(`${key}  (${list.length})`);
  } else if (process.argv.includes('--mermaid')) {
    console.log('flowchart LR');
    for (const [key, list] of [...between].sort()) {
      const [a, b] = key.split(' → ');
      if (COMPOSITION.has(a)) continue;
      console.log(`  ${a.replace(/[()]/g, '')} -->|${list.length}| ${b}`);
    }
  } else if (problems.length > 0) {
    console.error(`Grafo de importaciones: ${problems.length} problema(s).\n\n${problems.join('\n\n')}`);
    process.exit(1);
  } else {
    const folders = new Set(imports.flatMap((i) => [i.a, i.b]));
    console.log(`Grafo de importaciones: ${folders.size} carpetas, ${between.size} aristas, sin problemas.`);
  }
}

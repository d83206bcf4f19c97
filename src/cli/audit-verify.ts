import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from '../entities';
import { verifyMovementLog } from '../engine/audit';

// npm run audit:verify — recomputes the hash chain of every movement; exit 1 and a list when anything was tampered with.
async function main(): Promise<void> {
  const ds = new DataSource(dataSourceOptions(loadConfig()));
  await ds.initialize();
  const tty = process.stderr.isTTY;
  const { checked, problems } = await verifyMovementLog(ds, (n) => {
    if (tty) process.stderr.write(`\rVerificando movimientos… ${n.toLocaleString('es-MX')}`);
  });
  if (tty) process.stderr.write('\n');
  await ds.destroy();
  if (problems.length === 0) {
    console.log(`Bitácora íntegra: ${checked.toLocaleString('es-MX')} movimientos verificados, ninguno alterado.`);
    return;
  }
  console.log(`¡Bitácora alterada! ${problems.length} problema(s) en ${checked.toLocaleString('es-MX')} movimientos:`);
  for (const p of problems) console.log(`  movimiento ${p.seq}: ${p.problema} — ${p.detalle}`);
  console.log('Conserve una copia de la base de datos tal como está y avise a la Subjefatura de Sistemas.');
  process.exitCode = 1;
}

// Exit 2: the log could not be read at all (not a verdict on it). A DomainError already says what to do.
main().catch((e: unknown) => {
  console.error(`No se pudo verificar la bitácora: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});

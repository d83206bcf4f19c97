import 'reflect-metadata';
import { STAFF_ROLE_LABEL } from '../auth/staff-roles';
import { loadConfig } from '../config/config';
import { dialectOf } from '../database/data-source-options';
import { STANDARD_NIVELES } from '../catalog/import/niveles';
import { DEMO_DEFAULTS } from '../catalog/seed/demo-data';
import { openMigratedDatabase } from './open-database';
import { seedDemo } from './seed/seed-demo';

const USAGE = `Uso: npm run seed:demo -- [--seed N] [--centros N] [--trabajadores N]

Aplica las migraciones y carga datos de demostración: niveles, ${DEMO_DEFAULTS.centros} centros de trabajo de Colima,
${DEMO_DEFAULTS.trabajadores} trabajadores y un usuario por rol. La misma semilla da los mismos datos; correrlo otra vez
no duplica nada. Las contraseñas de primer ingreso se muestran una sola vez, al crear cada usuario.
No corre con NODE_ENV=production.`;

function numberFlag(argv: string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0)
    throw new Error(`${name} espera un número entero (recibido: «${argv[i + 1] ?? ''}»).`);
  return v;
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const known = new Set(['--seed', '--centros', '--trabajadores']);
  const unknown = argv.filter((a, i) => (a.startsWith('--') ? !known.has(a) : !known.has(argv[i - 1])));
  if (unknown.length > 0) throw new Error(`Argumento desconocido: ${unknown.join(' ')}.\n\n${USAGE}`);
  const config = loadConfig();
  if (config.env === 'production') {
    throw new Error('seed:demo no corre con NODE_ENV=production: llenaría el catálogo real con personas inventadas.');
  }
  const ds = await openMigratedDatabase(config, (line) => console.log(line));
  try {
    const seed = numberFlag(argv, '--seed') ?? DEMO_DEFAULTS.seed;
    const r = await seedDemo(ds, {
      seed,
      centros: numberFlag(argv, '--centros'),
      trabajadores: numberFlag(argv, '--trabajadores'),
    });
    const where = dialectOf(config.databaseUrl) === 'sqlite' ? `SQLite (${config.dataDir})` : 'MySQL/MariaDB';
    const line = (what: string, c: { inserted: number; updated: number; unchanged: number }): string =>
      `  ${what}: ${c.inserted} nuevos, ${c.updated} actualizados, ${c.unchanged} ya estaban`;
    console.log(`Datos de demostración (semilla ${seed}) en ${where}:`);
    if (r.niveles.length > 0) console.log(`  Niveles creados: ${r.niveles.map((n) => n.nombre).join(', ')}`);
    console.log(line('Centros de trabajo', r.centros));
    console.log(line('Trabajadores', r.trabajadores));
    if (r.staffExisting.length > 0)
      console.log(`  Usuarios que ya existían (su contraseña no cambia): ${r.staffExisting.join(', ')}`);
    const base = config.publicBaseUrl.replace(/\/$/, '');
    console.log(`\n${'─'.repeat(72)}\nListo. Con la aplicación en marcha (npm start), abra ${base}/`);
    if (r.staffCreated.length > 0) {
      console.log(
        `\nPersonal — ${base}/personal/entrar\nContraseñas de primer ingreso (se muestran solo esta vez; se pedirá cambiarlas):`,
      );
      const width = Math.max(...r.staffCreated.map((s) => s.usuario.length));
      for (const s of r.staffCreated) {
        const nivel = STANDARD_NIVELES.find((n) => n.clave === s.nivelClave)?.nombre ?? s.nivelClave;
        const role = s.rol === 'nivel' && nivel ? `Nivel ${nivel}` : STAFF_ROLE_LABEL[s.rol];
        console.log(`  ${s.usuario.padEnd(width)}  ${s.password}  ${s.nombre} — ${role}`);
      }
    }
    if (r.muestras.length > 0) {
      console.log(`\nTrabajadores para probar «Obtener mi correo institucional» — ${base}/correo`);
      for (const w of r.muestras)
        console.log(
          `  CURP ${w.curp}  CURT ${w.curt}  ${w.nombre}${w.correoAlterno ? '' : ' (sin correo alterno: verá qué hacer)'}`,
        );
      console.log('  Los correos que envía el sistema quedan como archivos .eml en DATA_DIR/outbox/.');
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`No se cargaron los datos de demostración: ${(e as Error).message}`);
  process.exit(1);
});

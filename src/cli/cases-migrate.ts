import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { PROCEDURES } from '../../machines';
import { loadConfig } from '../config/config';
import { EngineService } from '../engine/engine.service';

// npm run cases:migrate -- <procedimiento> <versión-origen>: moves open cases to the version that maps them.
async function main(): Promise<void> {
  const [procedureId, from] = process.argv.slice(2);
  if (!procedureId || !from || !/^\d+$/.test(from)) {
    console.error('Uso: npm run cases:migrate -- <procedimiento> <versión-origen>   (p. ej. cuenta-bloquear 1)');
    process.exit(2);
  }
  const config = { ...loadConfig(), logLevel: 'warn' as const };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, PROCEDURES, 'off'), {
    logger: ['error', 'warn'],
  });
  const res = await app
    .get(EngineService)
    .migrateOpenCases(procedureId, Number(from), { id: 'cli:cases-migrate', role: 'administrador' });
  await app.close();
  console.log(`Migrados a la versión ${res.target}: ${res.migrated.length} trámite(s).`);
  if (res.unmapped.length) {
    console.log(`Sin correspondencia (siguen en la versión ${from}; concluyen ahí o requieren atención):`);
    for (const u of res.unmapped) console.log(`  ${u.caseId}  estado: ${u.state}`);
  }
}

main().catch((e: unknown) => {
  console.error(`No se pudo migrar: ${(e as Error).message}`);
  process.exit(1);
});

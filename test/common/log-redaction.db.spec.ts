import { Writable } from 'node:stream';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import request from 'supertest';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { loggerParams } from '../../src/common/logging';
import { AppModule } from '../../src/app.module';
import { ActivationService } from '../../src/provisioning/activation.service';
import { addWorker } from '../support/pipeline';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * "Raw activation tokens in the logs": whoever reads the logs must not be able to set someone's password. The app's
 * own logger options, with the output captured instead of written to stdout.
 */
describe('logs never carry an activation token', () => {
  let t: TestApp;
  let lines: string[] = [];
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    // The app's own logger options (src/common/logging.ts), written to a sink instead of stdout.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const forRoot = AppModule.forRoot.bind(AppModule);
    const spy = jest.spyOn(AppModule, 'forRoot').mockImplementation((config, ...rest) => {
      const mod = forRoot(config, ...rest);
      const params = loggerParams(config);
      const imports = (mod.imports ?? []).map((m) =>
        (m as DynamicModule).module === LoggerModule
          ? LoggerModule.forRoot({ ...params, pinoHttp: [params.pinoHttp as object, sink] })
          : m,
      );
      return { ...mod, imports };
    });
    try {
      t = await createTestApp({ LOG_LEVEL: 'info' });
      // Nest buffers its own log lines until the app listens (bufferLogs), as the real process does.
      await t.app.listen(0, '127.0.0.1');
    } finally {
      spy.mockRestore();
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const issueLink = async (): Promise<string> => {
    const ds = t.db.dataSource;
    const w = await addWorker(ds, { nombre: 'Itzel', primerApellido: 'Cárdenas' });
    const cuentaId = '22222222-2222-4222-a222-222222222222';
    await ds.getRepository(Cuenta).insert({
      id: cuentaId,
      direccion: 'itzel.cardenas@colima.gob.mx',
      localPart: 'itzel.cardenas',
      dominio: 'colima.gob.mx',
      tipo: 'personal',
      titularTipo: 'trabajador',
      titularCurp: w.curp,
      titularCct: null,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
    const { url } = await t.app.get(ActivationService).issue(cuentaId, null, '33333333-3333-4333-a333-333333333333');
    return new URL(url).pathname.split('/').pop()!;
  };

  it('the page, its POST (refused and failed) and the error log show /activar/[oculto]', async () => {
    const token = await issueLink();
    lines = [];
    await http().get(`/activar/${token}`).expect(200);
    await http()
      .post(`/activar/${token}`)
      .type('form')
      .send({ contrasena: 'corta', confirmacion: 'corta' })
      .expect(400);
    await http().get(`/activar/${token}x?utm=${token}`).expect(410);
    // An unexpected failure whose message names the URL it was working on (as HTTP clients do).
    const fail = jest
      .spyOn(ActivationService.prototype, 'setPassword')
      .mockRejectedValueOnce(new Error(`El directorio no respondió a POST /activar/${token}`));
    try {
      await http()
        .post(`/activar/${token}`)
        .type('form')
        .send({ contrasena: 'tamarindo-faro-lluvia-42', confirmacion: 'tamarindo-faro-lluvia-42' })
        .expect(500);
    } finally {
      fail.mockRestore();
    }
    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(log).toContain('/activar/[oculto]');
    expect(log).toContain('El directorio no respondió');
    expect(log).not.toContain(token);
  });
});

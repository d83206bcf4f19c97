import { spawn } from 'node:child_process';
import { ProcessOutput, waitForMarker } from './process-output';

const READY = 'Mi Correo Institucional escucha en';

describe('ProcessOutput: la línea de arranque de un proceso hijo', () => {
  it('la ve aunque el registro que llega detrás la saque de la cola de 20 000 caracteres', () => {
    const out = new ProcessOutput([READY]);
    // The web process under LOG_LEVEL=debug: «escucha en» first, then the logger's buffered route table, all before
    // the test looks again.
    out.append(`${READY} http://127.0.0.1:3000\n`, 'stdout');
    out.append('{"msg":"Mapped {/tramites/:id, GET} route"}\n'.repeat(600), 'stdout');
    expect(out.text()).not.toContain(READY);
    expect(out.text()).toHaveLength(20_000);
    expect(out.has(READY)).toBe(true);
  });

  it('la ve partida entre dos trozos de la misma salida, aunque otra salida hable en medio', () => {
    const out = new ProcessOutput([READY]);
    out.append('arranque… Mi Correo Inst', 'stdout');
    out.append('aviso en stderr\n', 'stderr');
    expect(out.has(READY)).toBe(false);
    out.append('itucional escucha en http://127.0.0.1:3000\n', 'stdout');
    expect(out.has(READY)).toBe(true);
  });

  it('no la inventa con mitades de salidas distintas', () => {
    const out = new ProcessOutput([READY]);
    out.append('Mi Correo Inst', 'stdout');
    out.append('itucional escucha en', 'stderr');
    expect(out.has(READY)).toBe(false);
  });

  it('espera a un proceso real que la imprime antes de 60 000 caracteres de registro', async () => {
    const script = `process.stdout.write(${JSON.stringify(READY)} + '\\n'); require('fs').writeSync(1, 'x'.repeat(60000) + '\\n'); setTimeout(() => {}, 30000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    try {
      const out = ProcessOutput.of(child, [READY]);
      await waitForMarker(child, out, READY, 20_000, exited, 'El proceso de prueba');
      expect(out.has(READY)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('dice qué pasó cuando el proceso termina sin imprimirla', async () => {
    const child = spawn(process.execPath, ['-e', 'console.error("sin configuración"); process.exit(3)'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    const out = ProcessOutput.of(child, [READY]);
    await exited;
    await expect(waitForMarker(child, out, READY, 20_000, exited, 'El proceso de prueba')).rejects.toThrow(
      /El proceso de prueba terminó al iniciar \(3\)\. Salida:\nsin configuración/,
    );
  });
});

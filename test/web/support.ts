import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module';
import { WebModule } from '../../src/web/web.module';
import { createTestApp, type TestApp } from '../support/test-app';

type AppOptions = Parameters<typeof createTestApp>[1];

/**
 * The real web application (createApp: helmet's CSP, validation, migrations) with the staff pages, listening on a
 * free port. Until src/app.module.ts imports WebModule, the module is added to the root here; afterwards this adds
 * nothing.
 */
export async function createWebApp(
  env: Record<string, string> = {},
  opts: AppOptions = {},
): Promise<TestApp & { base: string }> {
  const forRoot = AppModule.forRoot.bind(AppModule);
  const spy = jest.spyOn(AppModule, 'forRoot').mockImplementation((...args: Parameters<typeof AppModule.forRoot>) => {
    const mod = forRoot(...args);
    return mod.imports?.includes(WebModule) ? mod : { ...mod, imports: [...(mod.imports ?? []), WebModule] };
  });
  try {
    const t = await createTestApp(env, opts);
    await t.app.listen(0, '127.0.0.1');
    return { ...t, base: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}` };
  } finally {
    spy.mockRestore();
  }
}

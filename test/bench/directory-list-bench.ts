/**
 * Reconciliation with a large LDAP directory (issue 14): a throwaway slapd (test/support/slapd.ts) filled with N
 * inetOrgPerson entries (default 100,000), then
 * 1. the ldap adapter's paged listing (RFC 2696, 500 per page) alone;
 * 2. the whole directory run (reconcileDirectory: every page compared with the cuenta table, the seen addresses kept,
 *    the missing ones found after the last page) against a database (SQLite; MariaDB with TEST_DB=mariadb) with the
 *    same N accounts, a few of them made to differ.
 * Prints the times; asserts nothing. Not part of `npm run bench` (its slapd load alone takes minutes).
 *
 *   node -r ./scripts/register.js test/bench/directory-list-bench.ts [N]
 *   TEST_DB=mariadb node -r ./scripts/register.js test/bench/directory-list-bench.ts [N]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { reconcileDirectory } from '../../src/catalog/reconciliation';
import { LdapDirectoryProvider } from '../../src/provisioning/providers/ldap/ldap-directory.provider';
import { startSlapd } from '../support/slapd';
import { createTestDb } from '../support/test-db';

const N = Number(process.argv[2] ?? 100_000);
const CONNECTIONS = 8;
const address = (i: number): string => `usuario${String(i).padStart(7, '0')}@colima.gob.mx`;
const fmt = (n: number): string => n.toLocaleString('es-MX');

async function main(): Promise<void> {
  const slapd = await startSlapd();
  const db = await createTestDb();
  try {
    let t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const c = new Client({ url: slapd.url, timeout: 30_000 });
        await c.bind(slapd.adminDN, slapd.adminPassword);
        try {
          for (let i = next++; i < N; i = next++) {
            const uid = address(i).split('@')[0];
            await c.add(`uid=${uid},${slapd.peopleDN}`, {
              objectClass: ['inetOrgPerson'],
              uid,
              cn: `Usuario ${i}`,
              sn: 'Prueba',
              mail: address(i),
              employeeNumber: `CAHL900201HCMSRR${String(i % 100).padStart(2, '0')}`,
              ...(i % 1000 === 7 ? { pwdAccountLockedTime: '000001010000Z' } : {}),
            });
          }
        } finally {
          await c.unbind();
        }
      }),
    );
    console.log(`slapd: ${fmt(N)} entradas cargadas en ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const provider = new LdapDirectoryProvider({
      url: slapd.url,
      bindDN: slapd.adminDN,
      bindPassword: slapd.adminPassword,
      baseDN: slapd.peopleDN,
      timeoutMs: 60_000,
    });
    t = performance.now();
    let listed = 0;
    let pages = 0;
    for await (const page of provider.listPages({ pageSize: 500 })) {
      listed += page.length;
      pages++;
    }
    const listS = (performance.now() - t) / 1000;
    console.log(
      `listado paginado (500 por página): ${fmt(listed)} cuentas en ${fmt(pages)} páginas, ${listS.toFixed(2)} s ` +
        `(${fmt(Math.round(listed / listS))} cuentas/s), memoria ${fmt(Math.round(process.memoryUsage().rss / 1e6))} MB RSS`,
    );

    // The same accounts in our table (the last 10 only ours: missing in the directory; one in 1,000 is suspended there).
    t = performance.now();
    const repo = db.dataSource.getRepository(Cuenta);
    for (let i = 0; i < N + 10; i += 1000) {
      const rows = [];
      for (let j = i; j < Math.min(i + 1000, N + 10); j++) {
        rows.push({
          id: randomUUID(),
          direccion: address(j),
          localPart: address(j).split('@')[0],
          dominio: 'colima.gob.mx',
          tipo: 'personal' as const,
          titularTipo: 'trabajador' as const,
          titularCurp: `CAHL9${String(j).padStart(7, '0')}HCMSRR05`.slice(0, 18),
          titularCct: null,
          estado: 'activa' as const,
          proveedor: 'ldap',
          proveedorId: randomUUID(),
        });
      }
      await repo.createQueryBuilder().insert().values(rows).updateEntity(false).execute();
    }
    console.log(
      `cuentas en ${db.dialect === 'sqlite' ? 'SQLite' : 'MariaDB'}: ${fmt(N + 10)} en ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    t = performance.now();
    const r = await reconcileDirectory(db.dataSource, {
      proveedor: 'ldap',
      pages: provider.listPages({ pageSize: 500 }),
    });
    const runS = (performance.now() - t) / 1000;
    console.log(
      `conciliación completa con el directorio: ${runS.toFixed(2)} s (${fmt(Math.round(N / runS))} cuentas/s); ` +
        `hallazgos ${JSON.stringify(r.porTipo)}, memoria ${fmt(Math.round(process.memoryUsage().rss / 1e6))} MB RSS`,
    );
  } finally {
    await db.close();
    await slapd.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

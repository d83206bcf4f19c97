import { createConnection } from 'mysql2/promise';

/**
 * MySQL/MariaDB: creates the database named in DATABASE_URL when it does not exist yet (utf8mb4), so an empty server
 * is enough to start. If the user may not create databases, says what to run instead.
 */
export async function ensureMysqlDatabase(databaseUrl: string | undefined): Promise<void> {
  if (!databaseUrl) return;
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name)
    throw new Error('DATABASE_URL debe incluir el nombre de la base de datos (mysql://usuario@host:3306/mci).');
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    connectTimeout: 5000,
  }).catch((e: Error) => {
    throw new Error(
      `No se pudo conectar a MySQL/MariaDB en ${url.hostname}:${url.port || 3306} (${e.message}). Verifique que el servidor esté en marcha y DATABASE_URL.`,
    );
  });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${name.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } catch (e) {
    const [rows] = await conn.query('SHOW DATABASES LIKE ?', [name]);
    if ((rows as unknown[]).length === 0) {
      throw new Error(
        `La base de datos "${name}" no existe y el usuario no puede crearla (${(e as Error).message}). ` +
          `Créela con: CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
      );
    }
  } finally {
    await conn.end();
  }
}

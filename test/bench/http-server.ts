/**
 * The web process the benchmark measures over HTTP when it runs on its own (`startHttp(…, { ownProcess: true })`), as in
 * production: the bench's client, its generated data and its garbage collections stay in the parent, so a pause of
 * the client is not counted as the server's. Started with fork(); the parent passes the environment of loadConfig and
 * is told the address over IPC. Queues off (`queueRole: 'off'`), like the in-process server.
 */
import 'reflect-metadata';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';

export interface ServerReady {
  ready: string;
}

async function main(): Promise<void> {
  const app = await createApp(loadConfig(process.env), { queueRole: 'off' });
  await app.listen(0, '127.0.0.1');
  const ready: ServerReady = { ready: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  process.send!(ready);
  // The parent closes the IPC channel (or dies): the server closes with it.
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  console.error(`El servidor del benchmark no arrancó: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});

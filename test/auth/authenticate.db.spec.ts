import { randomBytes } from 'node:crypto';
import { AuthService, hashToken } from '../../src/auth/auth.service';
import { StaffSession } from '../../src/auth/staff-session.entity';
import { StaffUser } from '../../src/auth/staff-user.entity';
import type { SignInLimits } from '../../src/auth/sign-in-limits';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(60_000);

/** The read every authenticated request makes (session and user in one statement): who it admits, on both dialects. */
describe('AuthService.authenticate', () => {
  let db: TestDb;
  let auth: AuthService;
  const now = new Date('2026-12-01T18:00:00.000Z');

  beforeAll(async () => {
    db = await createTestDb();
    auth = new AuthService(db.dataSource, {} as SignInLimits, { sessionIdleMinutes: 30 });
  });
  afterAll(() => db.close());

  async function userWithSession(
    over: Partial<StaffUser>,
    expiresAt: Date,
  ): Promise<{ token: string; user: StaffUser }> {
    const id = `u-${randomBytes(4).toString('hex')}`;
    const user = Object.assign(new StaffUser(), {
      id,
      usuario: id,
      nombre: 'Lucía Ramírez Ávila',
      rol: 'nivel',
      correo: null,
      nivelClave: 'PRIMARIA',
      passwordHash: 'x',
      mustChangePassword: false,
      activo: true,
      ...over,
    });
    await db.dataSource.getRepository(StaffUser).insert(user);
    const token = randomBytes(32).toString('base64url');
    await db.dataSource
      .getRepository(StaffSession)
      .insert({ tokenHash: hashToken(token), userId: id, createdAt: now, expiresAt });
    return { token, user };
  }

  it('admits a live session of an active user, with the actor its user makes', async () => {
    const { token, user } = await userWithSession({ mustChangePassword: true }, new Date(now.getTime() + 3600_000));
    expect(await auth.authenticate(token, now)).toEqual({
      id: user.id,
      role: 'nivel',
      nombre: 'Lucía Ramírez Ávila',
      nivelClave: 'PRIMARIA',
      usuario: user.usuario,
      mustChangePassword: true,
    });
  });

  it('refuses an expired session, an inactive user and an unknown token', async () => {
    const expired = await userWithSession({}, now);
    expect(await auth.authenticate(expired.token, now)).toBeNull();
    expect(await auth.authenticate(expired.token, new Date(now.getTime() - 1000))).not.toBeNull();
    const inactive = await userWithSession({ activo: false }, new Date(now.getTime() + 3600_000));
    expect(await auth.authenticate(inactive.token, now)).toBeNull();
    expect(await auth.authenticate(randomBytes(32).toString('base64url'), now)).toBeNull();
  });

  it('ends a session idle longer than the configured time; each use moves its end, up to 10 h after sign-in', async () => {
    const at = (min: number) => new Date(now.getTime() + min * 60_000);
    const { token } = await userWithSession({}, at(30));
    const session = () => db.dataSource.getRepository(StaffSession).findOneByOrFail({ tokenHash: hashToken(token) });
    expect(await auth.authenticate(token, at(20))).not.toBeNull();
    expect((await session()).expiresAt.getTime()).toBe(at(50).getTime());
    expect(await auth.authenticate(token, at(45))).not.toBeNull();
    expect(await auth.authenticate(token, at(74))).not.toBeNull();
    // 31 minutes without a request.
    expect(await auth.authenticate(token, at(105))).toBeNull();

    // In constant use: still over 10 h after sign-in.
    const busy = await userWithSession({}, at(30));
    for (let m = 25; m < 600; m += 25) expect(await auth.authenticate(busy.token, at(m))).not.toBeNull();
    expect(await auth.authenticate(busy.token, at(600))).toBeNull();
  });
});

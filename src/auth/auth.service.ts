import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, LessThan } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RowSql } from '../database/row-sql';
import { checkPassword } from '../security/password-policy';
import type { Actor } from './actor';
import { StaffSession } from './staff-session.entity';
import { SignInLimits } from './sign-in-limits';
import { StaffUser } from './staff-user.entity';

/** A session ends this long after sign-in at the latest, however busy. */
const SESSION_HOURS = 10;
/** A session's end moves forward with use at most this often (one write a minute per session, not one a request). */
const SLIDE_STEP_MS = 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface AuthenticatedStaff extends Actor {
  usuario: string;
  mustChangePassword: boolean;
}

/**
 * Staff sign-in with argon2id hashes and opaque bearer tokens stored only as their SHA-256. A session ends after
 * `sessionIdleMinutes` without a request (its `expiresAt` moves forward with each use) and SESSION_HOURS after
 * sign-in at the latest.
 */
@Injectable()
export class AuthService {
  // A hash of a random password, so an unknown user costs the same argon2 verification as a known one.
  private readonly decoy = argon2.hash(randomBytes(16).toString('hex'));

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly limits: SignInLimits,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'sessionIdleMinutes'>,
  ) {}

  private get idleMs(): number {
    return this.config.sessionIdleMinutes * 60_000;
  }

  /**
   * `address`: the client's address (clientAddress), for the sign-in limits. `expiresAt` is the session's end at the
   * latest (the cookie's lifetime); idleness ends it sooner, on the server.
   */
  async login(
    usuario: string,
    password: string,
    address: string,
    now = new Date(),
  ): Promise<{ token: string; expiresAt: Date; user: AuthenticatedStaff }> {
    const key = usuario.toLowerCase();
    await this.limits.check(key, address);
    const user = await this.ds.getRepository(StaffUser).findOne({ where: { usuario: key } });
    const ok = user?.activo
      ? await argon2.verify(user.passwordHash, password)
      : await argon2.verify(await this.decoy, password).then(() => false);
    if (!user || !ok) {
      await this.limits.failed(key, address);
      throw new DomainError('CREDENCIALES_INVALIDAS', 'Usuario o contraseña incorrectos.', 401);
    }
    await this.limits.succeeded(key, address);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await this.ds.getRepository(StaffSession).insert({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(Math.min(expiresAt.getTime(), now.getTime() + this.idleMs)),
    });
    await this.ds.getRepository(StaffSession).delete({ userId: user.id, expiresAt: LessThan(now) });
    return { token, expiresAt, user: toActor(user) };
  }

  async authenticate(token: string, now = new Date()): Promise<AuthenticatedStaff | null> {
    const q = (this.sessionRead ??= sessionRead(this.ds));
    const [raw] = await this.ds.query<Record<string, unknown>[]>(q.text, [hashToken(token)]);
    if (!raw) return null;
    const session = q.sessions.fromRow(raw, ['expiresAt', 'createdAt']);
    if (session.expiresAt <= now) return null;
    const user = q.users.fromRow(raw, ACTOR_PROPS);
    if (!user.activo) return null;
    // Used now: idle time counts from here (never past the session's end at the latest).
    const end = Math.min(session.createdAt.getTime() + SESSION_HOURS * 3600_000, now.getTime() + this.idleMs);
    if (end - session.expiresAt.getTime() >= SLIDE_STEP_MS)
      await this.ds.getRepository(StaffSession).update({ tokenHash: hashToken(token) }, { expiresAt: new Date(end) });
    return toActor(user);
  }

  /** Built once the data source has its metadata. */
  private sessionRead?: ReturnType<typeof sessionRead>;

  async logout(token: string): Promise<void> {
    await this.ds.getRepository(StaffSession).delete({ tokenHash: hashToken(token) });
  }

  /** Changes a password after checking the current one and the policy; ends every session of the user. */
  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const repo = this.ds.getRepository(StaffUser);
    const user = await repo.findOneByOrFail({ id: userId });
    if (!(await argon2.verify(user.passwordHash, current)))
      throw new DomainError('CREDENCIALES_INVALIDAS', 'La contraseña actual no es correcta.', 400);
    if (next === current)
      throw new DomainError('CONTRASENA_REPETIDA', 'La nueva contraseña debe ser distinta de la actual.', 400);
    const reasons = checkPassword(next, { localPart: user.usuario, names: [user.nombre] });
    if (reasons.length)
      throw new DomainError('CONTRASENA_DEBIL', `La nueva contraseña no es aceptable: ${reasons.join(' ')}`, 400);
    await repo.update(
      { id: userId },
      { passwordHash: await argon2.hash(next, { type: argon2.argon2id }), mustChangePassword: false },
    );
    await this.ds.getRepository(StaffSession).delete({ userId });
  }
}

/** The user's columns an authenticated request needs. */
const ACTOR_PROPS = ['id', 'usuario', 'nombre', 'rol', 'nivelClave', 'mustChangePassword', 'activo'] as const;

/**
 * Every authenticated request reads its session and its user: one statement by both primary keys, plain SQL built
 * once, instead of two repository reads through the query builder (profiled on POST /api/tramites/:id/eventos: two
 * round trips and most of the guard's time). Nothing is cached: a closed session or a deactivated user is refused on
 * the very next request, in every process.
 */
function sessionRead(ds: DataSource): { text: string; sessions: RowSql<StaffSession>; users: RowSql<StaffUser> } {
  const sessions = new RowSql(ds, StaffSession);
  const users = new RowSql(ds, StaffUser);
  return {
    sessions,
    users,
    text:
      `SELECT ${sessions.selectList(['expiresAt', 'createdAt'], 's')}, ${users.selectList(ACTOR_PROPS, 'u')} ` +
      'FROM staff_session s JOIN staff_user u ON u.id = s.user_id WHERE s.token_hash = ?',
  };
}

function toActor(u: StaffUser): AuthenticatedStaff {
  return {
    id: u.id,
    role: u.rol,
    nombre: u.nombre,
    nivelClave: u.nivelClave,
    usuario: u.usuario,
    mustChangePassword: u.mustChangePassword,
  };
}

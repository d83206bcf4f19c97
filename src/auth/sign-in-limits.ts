import { Inject, Injectable } from '@nestjs/common';
import { minutesText, RATE_LIMIT_STORE, type RateLimitStore, TooManyRequests } from '../common/rate-limit';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
/** Failed sign-ins of one user from one address before that address must wait for that user. */
export const FAILURES_PER_USER_AND_ADDRESS = 5;
/** Failed sign-ins from one address, whatever the users, before that address must wait. */
export const FAILURES_PER_ADDRESS = 20;

/**
 * Limits on failed staff sign-ins, counted in the shared rate-limit store (Redis with several web processes).
 * The lock is keyed by user + address, not by user: someone guessing from their address locks only themselves out
 * of that user, never the user from their own office; and one address that tries many users is stopped by its own
 * limit. A fixed 15-minute window ends each lock by itself; a successful sign-in from the address, or an
 * administrator's reset of the password, clears it at once.
 */
@Injectable()
export class SignInLimits {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  /** The Spanish 429 (with the wait) when this address, or this user from this address, failed too often. */
  async check(usuario: string, address: string): Promise<void> {
    const [byAddress, byUser] = await Promise.all([
      this.store.peek(addressKey(address)),
      this.store.peek(userKey(usuario, address)),
    ]);
    if (byAddress.count >= FAILURES_PER_ADDRESS) {
      throw new TooManyRequests(
        'DEMASIADOS_INTENTOS',
        `Demasiados intentos fallidos desde su conexión. Espere ${minutesText(byAddress.resetInMs)} e intente de nuevo.`,
        byAddress.resetInMs,
      );
    }
    if (byUser.count >= FAILURES_PER_USER_AND_ADDRESS) {
      throw new TooManyRequests(
        'DEMASIADOS_INTENTOS',
        `Demasiados intentos fallidos con este usuario. Espere ${minutesText(byUser.resetInMs)} o pida a un administrador que restablezca su contraseña.`,
        byUser.resetInMs,
      );
    }
  }

  async failed(usuario: string, address: string): Promise<void> {
    await Promise.all([
      this.store.hit(addressKey(address), SIGN_IN_WINDOW_MS),
      this.store.hit(userKey(usuario, address), SIGN_IN_WINDOW_MS),
    ]);
  }

  /** The user got in from this address: its failures with this user are forgiven (not the address's own count). */
  async succeeded(usuario: string, address: string): Promise<void> {
    await this.store.forget(userKey(usuario, address));
  }

  /** An administrator reset the password: every address may try this user again. */
  async clearUser(usuario: string): Promise<void> {
    await this.store.clear(userPrefix(usuario));
  }
}

// encodeURIComponent keeps ':' out of the user part, so one user's prefix never covers another's keys.
const userPrefix = (usuario: string): string => `entrar:usuario:${encodeURIComponent(usuario.toLowerCase())}:`;
const userKey = (usuario: string, address: string): string => `${userPrefix(usuario)}${address}`;
const addressKey = (address: string): string => `entrar:direccion:${address}`;

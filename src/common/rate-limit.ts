import {
  type ArgumentsHost,
  type CanActivate,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnModuleDestroy,
  type Type,
} from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { renderPublicError } from '../render/pages';
import { DomainError } from './domain-error';

/** How many hits a key has in its current window, and how long until the window ends. */
export interface WindowCount {
  count: number;
  resetInMs: number;
}

/**
 * Fixed-window counters shared by every limit of the product (public routes, sign-in). In memory on the embedded
 * default; in Redis when REDIS_URL is set, so that N web processes count together instead of allowing N times the
 * limit. (Not @nestjs/throttler's storage: its interface only increments, and the sign-in lock must count failures
 * only, be read without counting and be lifted by an administrator's reset; one store serves both kinds of limit.)
 */
export interface RateLimitStore {
  /** Counts one hit on `key`; a window of `windowMs` starts at a key's first hit. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** The count without adding to it. */
  peek(key: string): Promise<WindowCount>;
  /** Forgets one key. */
  forget(key: string): Promise<void>;
  /** Forgets every key that starts with `prefix`. */
  clear(prefix: string): Promise<void>;
}

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

/** One process's counters; `now` is injectable for tests. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      if (this.windows.size > 10_000) this.prune(now);
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return Promise.resolve({ count: w.count, resetInMs: w.endsAt - now });
  }

  peek(key: string): Promise<WindowCount> {
    const now = this.now();
    const w = this.windows.get(key);
    return Promise.resolve(
      w && w.endsAt > now ? { count: w.count, resetInMs: w.endsAt - now } : { count: 0, resetInMs: 0 },
    );
  }

  forget(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  clear(prefix: string): Promise<void> {
    for (const k of this.windows.keys()) if (k.startsWith(prefix)) this.windows.delete(k);
    return Promise.resolve();
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
  }
}

// INCR, and the window's expiry set on its first hit, atomically: every process sees the same window.
const HIT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/**
 * The counters in Redis, under `<QUEUE_PREFIX>:limite:`. If Redis does not answer, the limits let requests through
 * (logged): sign-in and self-service stay available, and argon2 with the password policy still stands.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;
  private readonly log = new Logger('Límites');
  private lastWarning = 0;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    // Loaded only when Redis is configured: the embedded default never touches it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    this.redis = new IORedis(redisUrl, {
      lazyConnect: true,
      connectTimeout: 2000,
      commandTimeout: 2000,
      maxRetriesPerRequest: 1,
      retryStrategy: (n: number) => Math.min(n * 200, 2000),
    });
    this.redis.on('error', (e: Error) => this.warn(e));
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, windowMs)) as [number, number];
      return { count, resetInMs: ttl };
    } catch (e) {
      this.warn(e as Error);
      return { count: 0, resetInMs: 0 };
    }
  }

  async peek(key: string): Promise<WindowCount> {
    try {
      const [count, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
      return count && ttl > 0 ? { count: Number(count), resetInMs: ttl } : { count: 0, resetInMs: 0 };
    } catch (e) {
      this.warn(e as Error);
      return { count: 0, resetInMs: 0 };
    }
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async clear(prefix: string): Promise<void> {
    const match = `${this.prefix}${prefix}`.replace(/[*?[\]\\]/g, '\\$&') + '*';
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 200);
      if (keys.length) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  close(): void {
    this.redis.disconnect();
  }

  private warn(e: Error): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.log.warn({ err: e.message }, 'Redis no responde: los límites de solicitudes no se aplican mientras tanto');
  }
}

/** The store for this configuration, closed with the application. */
@Injectable()
class RateLimitStoreLifecycle implements OnModuleDestroy {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}
  onModuleDestroy(): void {
    if (this.store instanceof RedisRateLimitStore) this.store.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RateLimitStore =>
        config.redisUrl
          ? new RedisRateLimitStore(config.redisUrl, `${config.queuePrefix}:limite:`)
          : new MemoryRateLimitStore(),
    },
    RateLimitStoreLifecycle,
  ],
  exports: [RATE_LIMIT_STORE],
})
export class RateLimitModule {}

/** A 429 that says, in Spanish, when to try again; Retry-After carries the same in seconds. */
export class TooManyRequests extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(code: string, message: string, resetInMs: number) {
    const seconds = Math.max(1, Math.ceil(resetInMs / 1000));
    super(code, message, 429, { reintentarEnSegundos: seconds });
    this.retryAfterSeconds = seconds;
  }
}

/** Sets Retry-After when `e` is a TooManyRequests (before the error is answered, as JSON or as a page). */
export function setRetryAfter(res: Response, e: unknown): void {
  if (e instanceof TooManyRequests && !res.headersSent) res.setHeader('Retry-After', String(e.retryAfterSeconds));
}

/** The client's address for counting: IPv4 as is, IPv6 by its /64 (one subscriber's whole network). */
export const clientAddress = (req: Request): string => normalizeIp(req.ip ?? 'desconocida');

/** "15 minutos", "1 minuto": how long until `resetInMs` has passed, rounded up. */
export const minutesText = (resetInMs: number): string => {
  const m = Math.max(1, Math.ceil(resetInMs / 60_000));
  return `${m} ${m === 1 ? 'minuto' : 'minutos'}`;
};

/** A guard class limiting each client address (per route) to `max` requests per window, with a Spanish 429. */
export function rateLimit(
  max: number,
  windowMs: number,
  message = 'Demasiados intentos desde su conexión. Espere un minuto e intente de nuevo.',
): Type<CanActivate> {
  @Injectable()
  class RateLimitGuard implements CanActivate {
    constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

    async canActivate(ctx: ExecutionContext): Promise<boolean> {
      const req = ctx.switchToHttp().getRequest<Request>();
      const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
      const { count, resetInMs } = await this.store.hit(`ruta:${route}:${clientAddress(req)}`, windowMs);
      if (count > max) {
        const e = new TooManyRequests('DEMASIADAS_SOLICITUDES', message, resetInMs);
        setRetryAfter(ctx.switchToHttp().getResponse<Response>(), e);
        throw e;
      }
      return true;
    }
  }
  return RateLimitGuard;
}

/** For the public pages: a limit is answered as a page, not JSON. */
@Catch(TooManyRequests)
export class TooManyRequestsPage implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(e: TooManyRequests, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    setRetryAfter(res, e);
    res.status(429).type('html').setHeader('Cache-Control', 'no-store');
    res.send(renderPublicError('Demasiados intentos', e.message, { identity: identityOf(this.config.institution) }));
  }
}

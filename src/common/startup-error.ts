import { type AppConfig, ConfigError, type Env, loadConfig } from '../config/config';
import { DomainError } from './domain-error';

/** For the entry points: a wrong value prints the message naming the variable and exits with EX_CONFIG (78). */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (e) {
    return exitOnStartupError('No se pudo iniciar Mi Correo Institucional', e);
  }
}

/**
 * How an entry point ends a failed start: one line on stderr that says what is wrong (a configuration error names its
 * variable), no stack and no colours — the stack only with LOG_LEVEL=debug or trace. Exit 78 (EX_CONFIG) for
 * configuration, 1 for anything else.
 */
export function exitOnStartupError(what: string, e: unknown): never {
  const configuration = e instanceof ConfigError || e instanceof DomainError;
  const message =
    e instanceof ConfigError ? e.message : `${what}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
  console.error(message);
  if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') && e instanceof Error) console.error(e.stack);
  process.exit(configuration ? 78 : 1);
}

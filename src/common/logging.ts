import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';

/** Paths whose values must never reach a log line (passwords, tokens, cookies, the chosen password of 5.2.2). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.contrasena',
  '*.token',
  '*.passwordHash',
  '*.secret',
];

/**
 * Secrets that travel in URLs: the single-use activation link (/activar/<token>) and the self-service case token
 * (?token=). A log line is scrubbed as a whole, so the request URL, an error message or a stack that quotes the URL
 * all come out as /activar/[oculto].
 */
const URL_SECRETS: [RegExp, string][] = [
  [/(\/activar\/)[^\s"'?#/\\]+/g, '$1[oculto]'],
  [/([?&]token=)[^\s"'&#\\]+/g, '$1[oculto]'],
];

export function redactUrlSecrets(text: string): string {
  return URL_SECRETS.reduce((s, [re, by]) => s.replace(re, by), text);
}

/** Structured JSON logs, one request id per request (taken from X-Request-Id when a proxy sets one). */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[oculto]' },
      hooks: { streamWrite: redactUrlSecrets },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/health/vivo' },
    },
  };
}

/**
 * An error a person can act on: a stable code, an HTTP status and a Spanish message that says what to do next.
 * The global filter maps it to the response; anything else becomes a logged 500 with a correlation id.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 423 | 429 | 503 = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, code = 'NO_ENCONTRADO'): DomainError =>
  new DomainError(code, `${what} no existe o no tiene acceso a ello.`, 404);

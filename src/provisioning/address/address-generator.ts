import { DomainError } from '../../common/domain-error';
import { isUniqueViolation } from '../../database/unique-violation';
import { CCT_PATTERN } from '../../validation/cct';

/**
 * The institution's rules for the local part of a new address, per account type:
 * - Personal: a configurable pattern over the worker's names (default `{nombre}.{primer_apellido}` → maria.nunez);
 *   on a collision, first the alternative pattern (default adds the second surname's initial → maria.nunezg), then
 *   the base with 2, 3, … (maria.nunez2).
 * - Centro de trabajo: the CCT in lower case (06dpr0001a). Never suffixed: the CCT is the school's identity.
 * - Servicio / Función: the name the Subjefatura types "sin dominio" (Guía 5.3.1 paso 5), validated, never altered
 *   beyond case and accents.
 *
 * Everything is folded to ASCII: accents and the diaeresis dropped, ñ → n.
 */

export type AddressRequest =
  | { tipo: 'personal'; nombre: string; primerApellido?: string | null; segundoApellido?: string | null }
  | { tipo: 'centro_trabajo'; cct: string }
  | { tipo: 'servicio' | 'funcion'; nombre: string };

/** Whether an address is taken anywhere that matters (our accounts table and the directory, aliases included). */
export type AddressExists = (address: string) => Promise<boolean>;

/**
 * How many candidates `assign` hands out before giving up: each one lost means another account took that address
 * between the check and the insert, so this bounds how many same-name creates may run at the very same moment.
 */
export const ASSIGN_ATTEMPTS = 10;

export interface AddressGeneratorOptions {
  /** The mail domain (config MAIL_DOMAIN). */
  domain: string;
  personalPattern?: string;
  /** The first thing tried on a collision; set it equal to personalPattern to go straight to numbers. */
  personalAlternativePattern?: string;
  /** 'join': "de la Cruz" → delacruz (default); 'drop': → cruz. */
  surnameParticles?: 'join' | 'drop';
  /** Highest numeric suffix tried before giving up (default 99). */
  maxSuffix?: number;
  /** Local parts never handed out (role addresses of RFC 2142 and our own sender by default). */
  reserved?: readonly string[];
}

export const DEFAULT_PERSONAL_PATTERN = '{nombre}.{primer_apellido}';
export const DEFAULT_PERSONAL_ALTERNATIVE = '{nombre}.{primer_apellido}{inicial_segundo_apellido}';
export const DEFAULT_RESERVED = [
  'abuse',
  'admin',
  'administrador',
  'hostmaster',
  'info',
  'mailer-daemon',
  'no-responder',
  'noreply',
  'no-reply',
  'postmaster',
  'root',
  'security',
  'webmaster',
] as const;

const PLACEHOLDERS = [
  'nombre',
  'nombres',
  'primer_apellido',
  'segundo_apellido',
  'inicial_nombre',
  'inicial_primer_apellido',
  'inicial_segundo_apellido',
] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** Particles inside Spanish names: skipped when picking the first given name or an initial. */
const PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'e', 'da', 'das', 'do', 'dos', 'di', 'van', 'von']);
/** Abbreviations Capital Humano records carry ("MA. DEL CARMEN", "Mª"). */
const ABBREVIATIONS: Record<string, string> = { ma: 'maria' };

const MAX_LOCAL = 64;
const LOCAL_RE = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

/** ASCII lower case: "Núñez" → "nunez", "Mª" → "ma", "Agüero" → "aguero". Other characters are kept for the caller. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Words of a name, folded, with apostrophes and hyphens joined ("D'Angelo" → dangelo, "Pérez-Gil" → perezgil). */
function words(s: string | null | undefined): string[] {
  if (!s) return [];
  return fold(s)
    .replace(/['’`´-]/g, '')
    .split(/[\s.]+/)
    .map((w) => w.replace(/[^a-z0-9]/g, ''))
    .filter((w) => w.length > 0);
}

function firstGivenName(tokens: string[]): string {
  const named = tokens.map((t) => ABBREVIATIONS[t] ?? t).filter((t) => !PARTICLES.has(t) && t.length > 1);
  return named[0] ?? tokens[0] ?? '';
}

function surname(tokens: string[], particles: 'join' | 'drop'): string {
  const kept = particles === 'drop' ? tokens.filter((t) => !PARTICLES.has(t)) : tokens;
  return (kept.length ? kept : tokens).join('');
}

const initial = (tokens: string[]): string => tokens.find((t) => !PARTICLES.has(t))?.[0] ?? tokens[0]?.[0] ?? '';

/** Validates a pattern once, at construction: a typo in the configuration must stop the start, not a request. */
function checkPattern(pattern: string, what: string): void {
  const unknown = [...pattern.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1])
    .filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length) {
    throw new Error(
      `Patrón de dirección inválido (${what}): {${unknown[0]}} no existe; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
    );
  }
  if (!/\{(nombre|nombres|primer_apellido|segundo_apellido)\}/.test(pattern)) {
    throw new Error(`Patrón de dirección inválido (${what}): debe incluir {nombre}, {nombres} o un apellido.`);
  }
  if (/[^a-z0-9._-]/.test(pattern.replace(/\{[^}]*\}/g, ''))) {
    throw new Error(
      `Patrón de dirección inválido (${what}): fuera de los marcadores solo se admiten a-z, 0-9, punto, guion y guion bajo.`,
    );
  }
}

/** Separators never doubled, never at the ends (a missing second surname leaves nothing behind). */
const tidy = (s: string): string => s.replace(/([._-])[._-]+/g, '$1').replace(/^[._-]+|[._-]+$/g, '');

export class AddressGenerator {
  private readonly domain: string;
  private readonly personal: string;
  private readonly alternative: string;
  private readonly particles: 'join' | 'drop';
  private readonly maxSuffix: number;
  private readonly reserved: ReadonlySet<string>;

  constructor(opts: AddressGeneratorOptions) {
    this.domain = opts.domain.trim().toLowerCase();
    this.personal = opts.personalPattern ?? DEFAULT_PERSONAL_PATTERN;
    this.alternative = opts.personalAlternativePattern ?? DEFAULT_PERSONAL_ALTERNATIVE;
    checkPattern(this.personal, 'personal');
    checkPattern(this.alternative, 'alternativa');
    this.particles = opts.surnameParticles ?? 'join';
    this.maxSuffix = opts.maxSuffix ?? 99;
    this.reserved = new Set((opts.reserved ?? DEFAULT_RESERVED).map((r) => r.toLowerCase()));
  }

  /** The first free address for the request, asking `exists` in a fixed order, so the same state gives the same answer. */
  async generate(req: AddressRequest, exists: AddressExists): Promise<string> {
    switch (req.tipo) {
      case 'personal':
        return this.personalAddress(req, exists);
      case 'centro_trabajo': {
        const address = `${this.cctLocalPart(req.cct)}@${this.domain}`;
        if (await exists(address)) {
          throw new DomainError(
            'DIRECCION_OCUPADA',
            `La dirección ${address} ya existe: el centro de trabajo ${req.cct.trim().toUpperCase()} ya tiene cuenta. Use restablecimiento o reasignación.`,
            409,
            { address },
          );
        }
        return address;
      }
      case 'servicio':
      case 'funcion': {
        const address = this.serviceAddress(req.nombre);
        if (await exists(address)) {
          throw new DomainError(
            'DIRECCION_OCUPADA',
            `La dirección ${address} ya está en uso; elija otro nombre de cuenta.`,
            409,
            {
              address,
            },
          );
        }
        return address;
      }
    }
  }

  /**
   * Chooses the address and stores it: `take` inserts the account row, whose unique key on the address is the real
   * arbiter, since the check by `exists` and the insert are not atomic (two people with the same name provisioned
   * together both find the base free). When `take` fails on a unique key, that candidate was taken meanwhile: the
   * next one is tried, up to `attempts`. `take` decides first what else a duplicate may mean (a replay of the same
   * create finds its own row and returns it).
   */
  async assign<T>(
    req: AddressRequest,
    exists: AddressExists,
    take: (address: string) => Promise<T>,
    attempts = ASSIGN_ATTEMPTS,
  ): Promise<T> {
    const lost = new Set<string>();
    for (;;) {
      const address = await this.generate(req, async (a) => lost.has(a) || (await exists(a)));
      try {
        return await take(address);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        lost.add(address);
        if (lost.size >= attempts) {
          throw new DomainError(
            'DIRECCION_EN_DISPUTA',
            `No se pudo asignar la dirección: otras cuentas tomaron al mismo tiempo las ${lost.size} candidatas probadas (la última, ${address}). Reintente el trámite.`,
            409,
            { probadas: [...lost] },
          );
        }
      }
    }
  }

  /** The Personal candidates before numbers: [base, alternative] (one when they coincide). For previews and tests. */
  personalCandidates(req: {
    nombre: string;
    primerApellido?: string | null;
    segundoApellido?: string | null;
  }): string[] {
    const given = words(req.nombre);
    let first = words(req.primerApellido);
    let second = words(req.segundoApellido);
    // One surname recorded only as the second (it happens in the catalog): it is the one the person goes by.
    if (!first.length && second.length) [first, second] = [second, []];
    const values: Record<Placeholder, string> = {
      nombre: firstGivenName(given),
      nombres: given
        .map((t) => ABBREVIATIONS[t] ?? t)
        .filter((t) => !PARTICLES.has(t))
        .join(''),
      primer_apellido: surname(first, this.particles),
      segundo_apellido: surname(second, this.particles),
      inicial_nombre: initial(given),
      inicial_primer_apellido: initial(first),
      inicial_segundo_apellido: initial(second),
    };
    const render = (pattern: string): string =>
      tidy(pattern.replace(/\{([a-z_]+)\}/g, (_, p: string) => values[p as Placeholder]))
        .slice(0, MAX_LOCAL)
        .replace(/[._-]+$/, '');
    const out = [...new Set([render(this.personal), render(this.alternative)])].filter((c) => /[a-z]/.test(c));
    if (!out.length) {
      throw new DomainError(
        'NOMBRE_SIN_LETRAS',
        'No se pudo formar la dirección: el nombre del trabajador no tiene letras utilizables. Corrija el nombre en Capital Humano o asigne la cuenta como Servicio.',
        422,
      );
    }
    return out;
  }

  /** The CCT as the local part, after checking its shape (2 digits, 3 letters, 4 digits, 1 letter). */
  cctLocalPart(cct: string): string {
    const c = cct.trim().toUpperCase();
    if (!CCT_PATTERN.test(c)) {
      throw new DomainError('CCT_INVALIDA', `La CCT "${cct}" no es válida: son 10 caracteres, como 06DPR0001A.`, 422);
    }
    return c.toLowerCase();
  }

  /** The address a Servicio or Función account of this name gets (the name checked and folded as below). */
  serviceAddress(name: string): string {
    return `${this.serviceLocalPart(name)}@${this.domain}`;
  }

  /** The account name the Subjefatura gives "sin dominio", checked and folded (upper case and accents only). */
  serviceLocalPart(name: string): string {
    const raw = name.trim();
    const bad = (msg: string): never => {
      throw new DomainError('NOMBRE_CUENTA_INVALIDO', msg, 422, { nombre: raw });
    };
    if (raw.includes('@')) {
      bad(`Escriba el nombre de la cuenta sin dominio: «${raw.split('@')[0]}» en lugar de «${raw}».`);
    }
    const local = fold(raw);
    if (/\s/.test(local))
      bad('El nombre de la cuenta no puede tener espacios; use punto o guion (p. ej. «becas.benito-juarez»).');
    if (local.length < 3 || local.length > MAX_LOCAL)
      bad(`El nombre de la cuenta debe tener entre 3 y ${MAX_LOCAL} caracteres.`);
    if (!LOCAL_RE.test(local) || /[._-]{2}/.test(local)) {
      bad(
        'El nombre de la cuenta solo admite letras sin acento, números, punto, guion y guion bajo, sin empezar ni terminar con ellos ni repetirlos.',
      );
    }
    if (this.reserved.has(local)) bad(`«${local}» es un nombre reservado del sistema de correo; elija otro.`);
    return local;
  }

  private async personalAddress(
    req: { nombre: string; primerApellido?: string | null; segundoApellido?: string | null },
    exists: AddressExists,
  ): Promise<string> {
    const [base, ...alternatives] = this.personalCandidates(req);
    const free = async (local: string): Promise<boolean> =>
      !this.reserved.has(local) && !(await exists(`${local}@${this.domain}`));
    for (const c of [base, ...alternatives]) if (await free(c)) return `${c}@${this.domain}`;
    for (let n = 2; n <= this.maxSuffix; n++) {
      const suffix = String(n);
      const c = base.slice(0, MAX_LOCAL - suffix.length).replace(/[._-]+$/, '') + suffix;
      if (await free(c)) return `${c}@${this.domain}`;
    }
    throw new DomainError(
      'DIRECCION_SIN_ALTERNATIVA',
      `No se encontró una dirección libre para ${base} (se probó hasta ${base}${this.maxSuffix}); asígnela a mano.`,
      409,
    );
  }
}

import { type ActorRole, SOLICITANTE, type SOLICITANTE_ROLES, type StepRole } from '../../machines/types';

/** Who sends an event: a staff user, a worker in self-service, a school, or the system itself. */
export interface Actor {
  /** Staff user id, "curp:<CURP>" for a worker, "cct:<CCT>" for a school, "sistema" for the system. */
  id: string;
  role: ActorRole;
  nombre?: string;
  /** For role nivel: the level the user acts for. */
  nivelClave?: string | null;
  /** For role centro_trabajo. */
  cct?: string | null;
  /** For role trabajador. */
  curp?: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: 'sistema', role: 'sistema', nombre: 'Sistema "Mi correo institucional"' };

export const ROLE_LABEL: Record<ActorRole, string> = {
  trabajador: 'Trabajador',
  centro_trabajo: 'Centro de trabajo',
  nivel: 'Nivel',
  subdireccion: 'Subdirección de Sistemas y Servicios Telemáticos',
  subjefatura: 'Subjefatura de Sistemas',
  responsable: 'Responsable del programa, función o servicio',
  administrador: 'Administrador',
  sistema: 'Sistema',
};

/** What makes a case, task or document someone's: the fields it is addressed by. */
export interface Addressed {
  nivelClave?: string | null;
  responsableId?: string | null;
  cct?: string | null;
  curp?: string | null;
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && a === b;

/**
 * Deny by default. The Subdirección, the Subjefatura, administrators and the system work every case; a scoped role
 * reaches a case, task or document only when it is addressed to them: a Nivel its own level, a responsable the ones
 * that name them, a school its CCT, a worker their CURP. Something addressed to no level or to no responsable (a
 * worker's self-service, a school's PII request, an area's oficio) belongs to none of them.
 */
export function isAddressedTo(x: Addressed, actor: Actor): boolean {
  switch (actor.role) {
    case 'subdireccion':
    case 'subjefatura':
    case 'administrador':
    case 'sistema':
      return true;
    case 'nivel':
      return same(x.nivelClave, actor.nivelClave);
    case 'responsable':
      return same(x.responsableId, actor.id);
    case 'centro_trabajo':
      return same(x.cct, actor.cct);
    case 'trabajador':
      return same(x.curp, actor.curp);
  }
}

/**
 * Who the oficio's sender is in a case (SOLICITANTE in machines/types.ts): the Nivel it came from, else the
 * responsable user it names, else the Subdirección, which records an area's paper acknowledgement.
 */
export function requesterRole(c: Addressed): (typeof SOLICITANTE_ROLES)[number] {
  return c.nivelClave ? 'nivel' : c.responsableId ? 'responsable' : 'subdireccion';
}

/** The roles of a step or transition as they apply to one case: the oficio's sender resolved to a role. */
export function rolesIn(roles: readonly StepRole[], c: Addressed): ActorRole[] {
  return [...new Set(roles.map((r) => (r === SOLICITANTE ? requesterRole(c) : r)))];
}

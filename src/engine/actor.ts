import type { ActorRole } from '../../machines/types';

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

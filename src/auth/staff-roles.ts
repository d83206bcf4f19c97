/** The staff's roles, as the guide names them (what other modules and the pages may import). */
export const STAFF_ROLES = ['subdireccion', 'subjefatura', 'nivel', 'responsable', 'administrador'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const STAFF_ROLE_LABEL: Record<StaffRole, string> = {
  subdireccion: 'Subdirección de Sistemas y Servicios Telemáticos',
  subjefatura: 'Subjefatura de Sistemas',
  nivel: 'Nivel',
  responsable: 'Responsable del programa, función o servicio',
  administrador: 'Administrador',
};

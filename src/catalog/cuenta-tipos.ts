/** The kinds and states of an institutional account, as the guide names them (what other modules may import). */
export const TIPOS_CUENTA = ['personal', 'centro_trabajo', 'servicio', 'funcion'] as const;
export type TipoCuenta = (typeof TIPOS_CUENTA)[number];
export const TIPO_CUENTA_LABEL: Record<TipoCuenta, string> = {
  personal: 'Personal',
  centro_trabajo: 'Centro de Trabajo',
  servicio: 'Servicio',
  funcion: 'Función',
};
export type EstadoCuenta = 'activa' | 'bloqueada';
export type TitularTipo = 'trabajador' | 'centro';

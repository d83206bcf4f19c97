/**
 * The corrections the catalog's Versión 01 makes to the guide, as the generated guide prints them: what the guide
 * said, what the catalog does and why. 1-9 are the list of ARCHITECTURE.md ("Corrections to the guide"); 10 and 11
 * were added while building the catalog, 12 and 13 when the generated guide was held to the guide's exact wording
 * (capitals, punctuation and responsables' names included); 14 when a second 5.2.1 for a school that already had its
 * account was found to reset it. Where a correction lands is read from the machines
 * (`GuideStep.correccion`, `GuideTable.correccion`) and, for a renamed responsable, from `renombra`: every row where
 * the guide prints the old name and the machines the new one. `cambia` says which part of a step it may change, so
 * that a step carrying two corrections (5.2.1 paso 10: moved by 6, reworded by 11) is listed under each only for what
 * that one changed.
 *
 * Correction 11 describes the default delivery (CREDENTIAL_DELIVERY=enlace). An installation that sets
 * CREDENTIAL_DELIVERY=temporal mails a temporary password that must be changed at the first sign-in, which this
 * correction does not cover.
 */

/** What a correction changes: a step's activity, responsable or number, the order of a table, a title, the cover. */
export type CorrectionChange = 'actividad' | 'responsable' | 'numero' | 'orden' | 'titulo' | 'portada';

export interface Correction {
  numero: number;
  titulo: string;
  /** What the guide says, in Spanish, as a reader of the guide would put it. */
  guia: string;
  /** What the catalog does instead, and why when it is not obvious. */
  catalogo: string;
  /** The parts of the guide this correction changes. */
  cambia: readonly CorrectionChange[];
  /** Not a step or a table: the place the correction touches ("Portada"). */
  lugar?: string;
  /**
   * A responsable the guide names one way and the catalog another: the guide's spelling and the machines'. Every row
   * where the guide prints `guia` and the machines `catalogo` carries this correction.
   */
  renombra?: { guia: string; catalogo: string };
}

export const CORRECTIONS: readonly Correction[] = [
  {
    numero: 1,
    titulo: 'Número de versión',
    guia:
      'La portada dice «Versión N°. 1» y la sección de cambios registra la versión 2 con la misma fecha ' +
      '(12/08/2021); la versión 1 nunca se documentó.',
    catalogo:
      'El catálogo de procedimientos inicia en la Versión 01, a partir de la guía corregida. Cada procedimiento ' +
      'tiene su propia versión; un trámite conserva la versión con la que inició.',
    lugar: 'Portada y sección de cambios',
    cambia: ['portada'],
  },
  {
    numero: 2,
    titulo: 'Opción del portal para obtener un correo nuevo',
    guia: 'En 5.1.1 paso 1 la opción para obtener una cuenta nueva se llama «Restablecer mi contraseña».',
    catalogo:
      'La opción para una cuenta nueva es «Obtener mi correo institucional»; «Restablecer mi contraseña» es el ' +
      'procedimiento 5.1.2.',
    cambia: ['actividad'],
  },
  {
    numero: 3,
    titulo: 'Título de las tablas de 5.3.1, 5.3.2, 5.4 y 5.5',
    guia:
      'Las cuatro tablas llevan el mismo título: «Descripción del procedimiento de solicitud de nuevo correo ' +
      'institucional o restablecimiento de contraseña».',
    catalogo: 'Cada tabla lleva el título de su propio procedimiento.',
    cambia: ['titulo'],
  },
  {
    numero: 4,
    titulo: 'Solicitud de bloqueo',
    guia: 'En 5.5 paso 1 el interesado «Solicita de reasignación de cuenta mediante oficio».',
    catalogo: 'Es una solicitud de bloqueo: «Solicita el bloqueo de cuenta mediante oficio».',
    cambia: ['actividad'],
  },
  {
    numero: 5,
    titulo: 'Respuesta a un bloqueo',
    guia: 'En 5.5 el oficio de respuesta se envía y se recibe «con los datos de acceso».',
    catalogo: 'Un bloqueo no tiene datos de acceso: el oficio de respuesta confirma el bloqueo de la cuenta.',
    cambia: ['actividad'],
  },
  {
    numero: 6,
    titulo: 'Orden de creación de la cuenta de centro de trabajo',
    guia:
      'En 5.2.1 el Servicio crea la cuenta (paso 10) después de que el oficio de respuesta con las credenciales ' +
      'se generó y se envió (pasos 8 y 9).',
    catalogo: 'La cuenta se crea antes del oficio de respuesta que informa su dirección. El paso conserva su número.',
    cambia: ['orden'],
  },
  {
    numero: 7,
    titulo: 'Dos responsables en un paso',
    guia:
      'En 5.3.1 el paso 6 tiene dos responsables: la Subjefatura envía el oficio de respuesta y el Servicio crea la ' +
      'cuenta y envía los datos de acceso.',
    catalogo:
      'Son dos pasos: 6a (el Servicio crea la cuenta y envía al trabajador el enlace para establecer la contraseña, ' +
      'corrección 11) y 6 (la Subjefatura genera y envía el oficio de respuesta), en ese orden.',
    cambia: ['numero', 'orden'],
  },
  {
    numero: 8,
    titulo: 'Nombre del responsable del programa',
    guia:
      'La guía lo nombra «Responsable del programa, función o servicio» y también «Responsable del programa, fondo ' +
      'o servicio».',
    catalogo: 'Un solo nombre: «Responsable del programa, función o servicio».',
    cambia: ['responsable'],
    renombra: {
      guia: 'Responsable del programa, fondo o servicio',
      catalogo: 'Responsable del programa, función o servicio',
    },
  },
  {
    numero: 9,
    titulo: 'Titular anterior de una cuenta reasignada',
    guia: 'En 5.4 la guía no dice qué pasa con el titular anterior de la cuenta.',
    catalogo:
      'La reasignación revoca el acceso del titular anterior (nueva contraseña) y ambos titulares quedan en la ' +
      'bitácora de movimientos.',
    cambia: ['actividad'],
  },
  {
    numero: 10,
    titulo: 'Quién recibe el oficio en 5.3.2',
    guia:
      'En 5.3.2 el paso 4 «Recibe oficio.» queda en la celda de la Subdirección de Sistemas y Servicios ' +
      'Telemáticos, que en el paso 3 ya entregó el oficio a la Subjefatura.',
    catalogo: 'Lo recibe la Subjefatura de Sistemas, como en 5.3.1, 5.4 y 5.5 (paso 4 de cada una).',
    cambia: ['responsable'],
  },
  {
    numero: 11,
    titulo: 'Contraseñas fuera del correo y de los oficios',
    guia:
      'El Servicio «envía un correo electrónico con las credenciales de acceso» o «envía los datos de acceso» al ' +
      'correo alterno del trabajador o al del director (5.1.1, 5.1.2, 5.2.1, 5.2.3, 5.3.1, 5.3.2 y 5.4); el oficio de ' +
      'respuesta lleva «las credenciales de acceso» o «los datos de acceso» (5.2.1, 5.3.1, 5.3.2 y 5.4), y el nivel ' +
      'facilita a la escuela «sus credenciales de acceso» (5.2.1 paso 13).',
    catalogo:
      'El sistema no envía contraseñas por correo ni las escribe en un oficio: una contraseña enviada así queda ' +
      'guardada en buzones, reenvíos, copias y archivos fuera del control de su titular, y las prácticas de seguridad ' +
      'lo desaconsejan (OWASP ASVS V2.5.1: un secreto de activación o de recuperación no se envía en claro; NIST ' +
      'SP 800-63B). El correo lleva la dirección de la cuenta y un enlace de un solo uso, válido 24 horas, con el que ' +
      'el titular establece su contraseña; el oficio de respuesta lleva la dirección de la cuenta y dice a qué correo ' +
      'se envió el enlace, y eso es lo que el nivel comunica a la escuela. Excepción: en 5.2.3, después de una ' +
      'solicitud de 5.2.2, la contraseña la eligió el centro de trabajo; el correo al director confirma que se aplicó, ' +
      'sin repetirla. En 5.5 no hay datos de acceso (corrección 5).',
    cambia: ['actividad'],
  },
  {
    numero: 12,
    titulo: 'Nombre del sistema',
    guia:
      'Las tablas de 5.1.1 y 5.1.2 nombran al responsable «Sistema "Mi correo institucional"»; las de 5.2.3, 5.3.2, 5.4 y ' +
      '5.5 lo nombran solo «Sistema».',
    catalogo:
      'Un solo nombre en todas las tablas: «Sistema "Mi correo institucional"». «Sistema» a secas no dice cuál: en ' +
      '5.2.2 actúa otro sistema, la PII.',
    cambia: ['responsable'],
    renombra: { guia: 'Sistema', catalogo: 'Sistema "Mi correo institucional"' },
  },
  {
    numero: 13,
    titulo: 'Nombre del centro de trabajo',
    guia: 'En 5.2.1 el paso 1 nombra al responsable «Centro de trabajo» y el paso 14 «Centro de Trabajo».',
    catalogo:
      'Un solo nombre, como en el paso 1 y en 5.2.2: «Centro de trabajo». Es el mismo responsable; una mayúscula ' +
      'distinta en la columna Responsable haría pensar en otro.',
    cambia: ['responsable'],
    renombra: { guia: 'Centro de Trabajo', catalogo: 'Centro de trabajo' },
  },
  {
    numero: 14,
    titulo: 'Centro de trabajo que ya tiene cuenta',
    guia: 'En 5.2.1 el paso 7 siempre crea la cuenta; la guía no dice qué hacer cuando el centro de trabajo ya tiene una.',
    catalogo:
      'Un centro de trabajo tiene una sola cuenta. Si ya la tiene, el sistema lo muestra a la Subjefatura con su ' +
      'dirección, no crea otra ni cambia su contraseña, y el oficio de respuesta informa al nivel la dirección de la ' +
      'cuenta existente; el trámite concluye cuando el nivel la comunica a la escuela (paso 13), que ya la usa. Si lo ' +
      'que la escuela necesita es una contraseña nueva, la solicita por la PII (5.2.2 y 5.2.3).',
    cambia: ['actividad'],
  },
];

export const correctionByNumber = (numero: number): Correction | undefined =>
  CORRECTIONS.find((c) => c.numero === numero);

/** "corrección 2", "correcciones 5 y 8". */
export function correctionsLabel(numbers: readonly number[]): string {
  if (numbers.length === 0) return '';
  if (numbers.length === 1) return `corrección ${numbers[0]}`;
  return `correcciones ${numbers.slice(0, -1).join(', ')} y ${numbers[numbers.length - 1]}`;
}

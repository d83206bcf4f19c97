/** Word lists for demo data: common Mexican names and surnames (with accents and ñ) and the places of Colima. */

export const GIVEN_NAMES_H: readonly string[] = [
  'José', 'Juan', 'Luis', 'Jesús', 'Miguel Ángel', 'Francisco', 'Antonio', 'Alejandro', 'Jorge', 'Carlos', 'Ramón',
  'Martín', 'Raúl', 'Andrés', 'Héctor', 'Óscar', 'Rubén', 'Sergio', 'Fernando', 'Ricardo', 'Arturo', 'Eduardo',
  'Roberto', 'Javier', 'Manuel', 'Gerardo', 'Adrián', 'José Luis', 'Juan Carlos', 'Efraín', 'Joaquín', 'Julián',
  'Germán', 'Rogelio', 'Salvador', 'Sebastián', 'Tomás', 'Víctor Hugo', 'Nicolás', 'Ignacio', 'Ismael', 'Moisés',
  'Saúl', 'Abraham', 'Cristóbal', 'Gonzalo', 'José Ángel', 'Jesús Alberto', 'Iñaki', 'Benjamín', 'Ulises', 'Rafael',
];

export const GIVEN_NAMES_M: readonly string[] = [
  'María', 'Guadalupe', 'María Guadalupe', 'Ana', 'Ana Lucía', 'Rosa María', 'Verónica', 'Leticia', 'Patricia',
  'Mónica', 'Sofía', 'Inés', 'Lucía', 'Beatriz', 'Begoña', 'Araceli', 'Adriana', 'Alejandra', 'Claudia', 'Gabriela',
  'Silvia', 'Norma Angélica', 'Martha Elena', 'Laura', 'Ximena', 'Yolanda', 'Marisol', 'Raquel', 'Noemí', 'Zoé',
  'Dolores', 'Concepción', 'María de los Ángeles', 'Berenice', 'Itzel', 'Citlali', 'Xóchitl', 'Montserrat', 'Natalia',
  'Mariana', 'Fátima', 'Nayeli', 'María José', 'Irene', 'Susana', 'Érika', 'Rocío', 'Mayra Alejandra', 'Azucena', 'Belén',
];

export const SURNAMES: readonly string[] = [
  'García', 'Hernández', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz', 'Flores',
  'Gómez', 'Morales', 'Vázquez', 'Reyes', 'Jiménez', 'Torres', 'Díaz', 'Gutiérrez', 'Ruiz', 'Mendoza', 'Aguilar',
  'Ortiz', 'Moreno', 'Castillo', 'Romero', 'Álvarez', 'Méndez', 'Chávez', 'Rivera', 'Juárez', 'Ramos', 'Domínguez',
  'Herrera', 'Medina', 'Castro', 'Vargas', 'Guzmán', 'Velázquez', 'Muñoz', 'Núñez', 'Peña', 'Ordóñez', 'Ibáñez',
  'Cañedo', 'Castañeda', 'Zúñiga', 'Patiño', 'Treviño', 'Montaño', 'Avendaño', 'Saldaña', 'Villaseñor', 'Ceballos',
  'Magaña', 'Brizuela', 'Larios', 'Virgen', 'Cárdenas', 'Anguiano', 'Silva', 'Rangel', 'Barajas', 'Cervantes',
  'Carrillo', 'Ochoa', 'Farías', 'Contreras', 'Valencia', 'Orozco', 'Mancilla', 'Solís', 'Topete', 'Salazar', 'Rolón',
  'Alcaraz', 'Preciado', 'Cisneros', 'Ávalos', 'Andrade', 'de la Mora', 'del Toro', 'de la Cruz', 'Michel', 'Lepe',
  'Quintero', 'Zamora', 'Galindo', 'Íñiguez', 'Béjar',
];

/** The ten municipalities of Colima, weighted by population (INEGI 2020, thousands). */
export const MUNICIPIOS_COLIMA: readonly (readonly [string, number])[] = [
  ['Manzanillo', 191],
  ['Colima', 157],
  ['Villa de Álvarez', 150],
  ['Tecomán', 116],
  ['Cuauhtémoc', 31],
  ['Armería', 28],
  ['Comala', 21],
  ['Coquimatlán', 20],
  ['Minatitlán', 9],
  ['Ixtlahuacán', 6],
];

/** People, dates and ideals schools are named after. */
export const SCHOOL_HONOREES: readonly string[] = [
  'Benito Juárez', 'Miguel Hidalgo y Costilla', 'José María Morelos y Pavón', 'Sor Juana Inés de la Cruz', 'Niños Héroes',
  'Emiliano Zapata', 'Francisco I. Madero', 'Lázaro Cárdenas', 'Josefa Ortiz de Domínguez', 'Ignacio Allende',
  'Gregorio Torres Quintero', 'Basilio Vadillo', 'Rafaela Suárez', 'Gabriela Mistral', 'Leona Vicario', 'Vicente Guerrero',
  'Cuauhtémoc', 'Netzahualcóyotl', 'Octavio Paz', 'Amado Nervo', 'Ramón López Velarde', 'Justo Sierra', 'José Vasconcelos',
  '20 de Noviembre', 'Constitución de 1917', 'Revolución Mexicana', 'Rey Colimán', 'Griselda Álvarez', 'Juan Rulfo',
  'Margarita Maza de Juárez', 'Manuel Álvarez', 'Ignacio Zaragoza', 'Guadalupe Victoria', 'Nicolás Bravo', 'Hermanos Galeana',
  'Rosario Castellanos', 'Carlos Pellicer', 'Enrique Corona Morfín', 'Alfonso Reyes', 'Independencia', 'Manuel Gutiérrez Nájera',
  'Jaime Torres Bodet', 'Moisés Sáenz', 'Estefanía Castañeda', 'Rafael Ramírez', 'Ricardo Flores Magón', 'Felipe Ángeles',
];

export const MAIL_PROVIDERS: readonly (readonly [string, number])[] = [
  ['gmail.com', 60],
  ['hotmail.com', 20],
  ['outlook.com', 10],
  ['yahoo.com.mx', 7],
  ['ucol.mx', 3],
];

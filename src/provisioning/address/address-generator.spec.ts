import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { AddressGenerator, fold } from './address-generator';

const D = 'colima.gob.mx';
const gen = new AddressGenerator({ domain: D });

/** A directory that holds exactly these local parts, and remembers what it was asked. */
function taken(...locals: string[]) {
  const set = new Set(locals.map((l) => `${l}@${D}`));
  const asked: string[] = [];
  const exists = async (a: string): Promise<boolean> => {
    asked.push(a);
    return set.has(a);
  };
  return { exists, asked };
}

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('AddressGenerator — Personal', () => {
  it.each([
    ['María Guadalupe', 'Núñez', 'Gómez', 'maria.nunez'],
    ['JOSÉ ÁNGEL', 'DE LA CRUZ', 'PEÑA', 'jose.delacruz'],
    ['Ma. del Carmen', 'Ibáñez', 'Ochoa', 'maria.ibanez'],
    ['Mª de los Ángeles', 'Zúñiga', null, 'maria.zuniga'],
    ['J. Jesús', 'Chávez', 'Llamas', 'jesus.chavez'],
    ['Itzel Xóchitl', 'Agüero', 'Ruiz', 'itzel.aguero'],
    ['Juan Pablo', 'Ruiz-Esparza', 'Díaz', 'juan.ruizesparza'],
    ['Ana Sofía', "D'Angelo", 'Cárdenas', 'ana.dangelo'],
    ['  Luis   Fernando ', '  Del Toro ', '', 'luis.deltoro'],
  ])('%s %s %s → %s', async (nombre, primerApellido, segundoApellido, local) => {
    expect(await gen.generate({ tipo: 'personal', nombre, primerApellido, segundoApellido }, taken().exists)).toBe(
      `${local}@${D}`,
    );
  });

  it('resolves collisions: second surname initial, then 2, 3, … on the base, asking in that order', async () => {
    const { exists, asked } = taken('maria.nunez', 'maria.nunezg', 'maria.nunez2');
    const a = await gen.generate(
      { tipo: 'personal', nombre: 'María Guadalupe', primerApellido: 'Núñez', segundoApellido: 'Gómez' },
      exists,
    );
    expect(a).toBe(`maria.nunez3@${D}`);
    expect(asked).toEqual([`maria.nunez@${D}`, `maria.nunezg@${D}`, `maria.nunez2@${D}`, `maria.nunez3@${D}`]);
  });

  it('takes the initial of the second surname past its particles ("de la Peña" → p)', async () => {
    const a = await gen.generate(
      { tipo: 'personal', nombre: 'Rosa', primerApellido: 'Méndez', segundoApellido: 'de la Peña' },
      taken('rosa.mendez').exists,
    );
    expect(a).toBe(`rosa.mendezp@${D}`);
  });

  it('with no second surname goes from the base straight to numbers', async () => {
    const { exists, asked } = taken('juan.munoz');
    expect(
      await gen.generate({ tipo: 'personal', nombre: 'Juan', primerApellido: 'Muñoz', segundoApellido: null }, exists),
    ).toBe(`juan.munoz2@${D}`);
    expect(asked).toEqual([`juan.munoz@${D}`, `juan.munoz2@${D}`]);
  });

  it('uses the second surname when it is the only one recorded', async () => {
    expect(
      await gen.generate(
        { tipo: 'personal', nombre: 'Karla', primerApellido: '', segundoApellido: 'Velasco' },
        taken().exists,
      ),
    ).toBe(`karla.velasco@${D}`);
  });

  it('is deterministic: the same directory gives the same address', async () => {
    const req = { tipo: 'personal' as const, nombre: 'Pedro', primerApellido: 'Ramírez', segundoApellido: 'Solís' };
    const a = await gen.generate(req, taken('pedro.ramirez', 'pedro.ramirezs').exists);
    const b = await gen.generate(req, taken('pedro.ramirez', 'pedro.ramirezs').exists);
    expect([a, b]).toEqual([`pedro.ramirez2@${D}`, `pedro.ramirez2@${D}`]);
  });

  it('never hands out a reserved local part', async () => {
    const g = new AddressGenerator({
      domain: D,
      personalPattern: '{primer_apellido}',
      personalAlternativePattern: '{primer_apellido}',
    });
    expect(await g.generate({ tipo: 'personal', nombre: 'Ana', primerApellido: 'Admin' }, taken().exists)).toBe(
      `admin2@${D}`,
    );
  });

  it('follows a configured pattern and the "drop" particle rule', async () => {
    const g = new AddressGenerator({
      domain: D,
      personalPattern: '{inicial_nombre}{primer_apellido}',
      personalAlternativePattern: '{inicial_nombre}{primer_apellido}{inicial_segundo_apellido}',
      surnameParticles: 'drop',
    });
    const { exists } = taken('jcruz');
    expect(
      await g.generate(
        { tipo: 'personal', nombre: 'José Ángel', primerApellido: 'de la Cruz', segundoApellido: 'Peña' },
        exists,
      ),
    ).toBe(`jcruzp@${D}`);
  });

  it('keeps the local part within 64 characters, suffix included', async () => {
    const long = 'Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft';
    const a = await gen.generate(
      { tipo: 'personal', nombre: 'Hans', primerApellido: long },
      taken(`hans.${fold(long)}`.slice(0, 64)).exists,
    );
    expect(a.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(a).toMatch(/2@colima\.gob\.mx$/);
  });

  it('gives up with a clear message after the last suffix', async () => {
    const g = new AddressGenerator({ domain: D, maxSuffix: 3 });
    const e = await domainError(
      g.generate({ tipo: 'personal', nombre: 'Eva', primerApellido: 'Luna' }, async () => true),
    );
    expect([e.code, e.status]).toEqual(['DIRECCION_SIN_ALTERNATIVA', 409]);
    expect(e.message).toMatch(/eva\.luna3/);
  });

  it('refuses a name with no usable letters', async () => {
    const e = await domainError(gen.generate({ tipo: 'personal', nombre: '—', primerApellido: '...' }, taken().exists));
    expect(e.code).toBe('NOMBRE_SIN_LETRAS');
  });

  it('rejects a misconfigured pattern at construction, naming the bad marker', () => {
    expect(() => new AddressGenerator({ domain: D, personalPattern: '{nombre}.{apellido}' })).toThrow(
      /\{apellido\} no existe/,
    );
    expect(() => new AddressGenerator({ domain: D, personalPattern: '{inicial_nombre}' })).toThrow(/debe incluir/);
    expect(() => new AddressGenerator({ domain: D, personalPattern: '{nombre}+{primer_apellido}' })).toThrow(
      /solo se admiten/,
    );
  });
});

describe('AddressGenerator — Centro de trabajo', () => {
  it('uses the CCT in lower case', async () => {
    expect(await gen.generate({ tipo: 'centro_trabajo', cct: ' 06dpr0001A ' }, taken().exists)).toBe(`06dpr0001a@${D}`);
  });

  it('refuses a malformed CCT and one that already has an address (no suffix for a school)', async () => {
    expect((await domainError(gen.generate({ tipo: 'centro_trabajo', cct: '06DPR001A' }, taken().exists))).code).toBe(
      'CCT_INVALIDA',
    );
    const e = await domainError(
      gen.generate({ tipo: 'centro_trabajo', cct: '06EES0012Z' }, taken('06ees0012z').exists),
    );
    expect([e.code, e.status]).toEqual(['DIRECCION_OCUPADA', 409]);
    expect(e.message).toContain('06EES0012Z');
  });
});

describe('AddressGenerator — Servicio y Función', () => {
  it('takes the name "sin dominio" as given, folding case and accents', async () => {
    expect(await gen.generate({ tipo: 'servicio', nombre: 'Becas.Benito-Juárez' }, taken().exists)).toBe(
      `becas.benito-juarez@${D}`,
    );
    expect(await gen.generate({ tipo: 'funcion', nombre: 'direccion_primaria' }, taken().exists)).toBe(
      `direccion_primaria@${D}`,
    );
  });

  it.each([
    ['becas@colima.gob.mx', /sin dominio: «becas»/],
    ['becas benito', /espacios/],
    ['ab', /entre 3 y 64/],
    ['.becas', /sin empezar ni terminar/],
    ['becas..2026', /repetirlos/],
    ['beca$', /solo admite/],
    ['postmaster', /reservado/],
  ])('refuses %s', async (nombre, message) => {
    const e = await domainError(gen.generate({ tipo: 'servicio', nombre }, taken().exists));
    expect([e.code, e.status]).toEqual(['NOMBRE_CUENTA_INVALIDO', 422]);
    expect(e.message).toMatch(message);
  });

  it('refuses a name already in use instead of altering it', async () => {
    const e = await domainError(gen.generate({ tipo: 'servicio', nombre: 'becas' }, taken('becas').exists));
    expect([e.code, e.status]).toEqual(['DIRECCION_OCUPADA', 409]);
  });
});

/** The error each dialect's driver raises when an insert hits a unique key, as TypeORM hands it over. */
const duplicate = {
  sqlite: () =>
    new QueryFailedError(
      'INSERT INTO cuenta …',
      [],
      Object.assign(new Error('UNIQUE constraint failed: cuenta.direccion'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
    ),
  mysql: () =>
    new QueryFailedError(
      'INSERT INTO cuenta …',
      [],
      Object.assign(new Error("Duplicate entry 'x' for key 'uq_cuenta_direccion'"), {
        code: 'ER_DUP_ENTRY',
        errno: 1062,
      }),
    ),
};

describe('AddressGenerator.assign — the insert decides (check-then-insert races)', () => {
  const req = { tipo: 'personal' as const, nombre: 'Ana', primerApellido: 'Rosas', segundoApellido: 'Vega' };

  it.each(Object.entries(duplicate))(
    'on a unique-key violation (%s) takes the next candidate',
    async (_dialect, dup) => {
      const tried: string[] = [];
      const got = await gen.assign(req, taken().exists, async (a) => {
        tried.push(a);
        if (tried.length < 3) throw dup();
        return a;
      });
      expect(tried).toEqual([`ana.rosas@${D}`, `ana.rosasv@${D}`, `ana.rosas2@${D}`]);
      expect(got).toBe(`ana.rosas2@${D}`);
    },
  );

  it('passes any other failure through untouched', async () => {
    const boom = new Error('disco lleno');
    await expect(gen.assign(req, taken().exists, () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('gives up after a bounded number of lost candidates, in Spanish, with a 409', async () => {
    let n = 0;
    const e = await domainError(
      gen.assign(
        req,
        taken().exists,
        () => {
          n++;
          return Promise.reject(duplicate.mysql());
        },
        4,
      ),
    );
    expect(n).toBe(4);
    expect([e.code, e.status]).toEqual(['DIRECCION_EN_DISPUTA', 409]);
    expect(e.message).toMatch(/otras cuentas tomaron al mismo tiempo las 4 candidatas/);
  });

  it('a school address lost to another insert is refused as taken, never suffixed', async () => {
    const e = await domainError(
      gen.assign({ tipo: 'centro_trabajo', cct: '06DPR0002B' }, taken().exists, () =>
        Promise.reject(duplicate.sqlite()),
      ),
    );
    expect([e.code, e.status]).toEqual(['DIRECCION_OCUPADA', 409]);
  });
});

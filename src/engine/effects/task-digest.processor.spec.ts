import { digestList } from './task-digest.processor';

describe('digestList: what a digest says of each task', () => {
  const task = {
    tramite: '0b7c5a1e-1111-4222-8333-444455556666',
    folio: null,
    procedimiento: 'Bloqueo de cuenta',
    paso: 'Analizar la solicitud',
    vence: '2026-12-03T18:30:00.000Z',
  };

  it('names the folio (or says there is none), the procedure, the step, the due date in Mexico City and the case page', () => {
    expect(digestList({ tareas: [task], nuevas: 1 }, 'https://correo.example')).toBe(
      [
        'Folio: sin folio',
        'Trámite: Bloqueo de cuenta',
        'Paso: Analizar la solicitud',
        'Vence: 3 de diciembre de 2026 a las 12:30 h (hora del centro de México)',
        'Ver el trámite: https://correo.example/tramites/0b7c5a1e-1111-4222-8333-444455556666',
      ].join('\n'),
    );
  });

  it('counts the tasks it does not list, past the inbox cap as «más de 1000»', () => {
    const rest = (nuevas: number) => digestList({ tareas: [task], nuevas }, 'https://x.example').split('\n\n')[1];
    expect(rest(1)).toBeUndefined();
    expect(rest(2)).toBe('Además de estas, llegó otra tarea: véalas en su bandeja.');
    expect(rest(3)).toBe('Además de estas, llegaron otras 2 tareas: véalas en su bandeja.');
    expect(rest(1002)).toBe('Además de estas, llegaron otras más de 1000 tareas: véalas en su bandeja.');
  });
});

// The house rules the import-graph check holds (scripts/import-graph.js): each must catch what it names.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { check } = require('./import-graph') as {
  check: (imports: Array<{ from: string; to: string; a: string; b: string }>) => { problems: string[] };
};

const edge = (from: string, to: string): { from: string; to: string; a: string; b: string } => {
  const folder = (f: string): string =>
    f.startsWith('machines/') ? 'machines' : f.split('/').length === 2 ? '(root)' : f.split('/')[1];
  return { from, to, a: folder(from), b: folder(to) };
};

describe('import-graph rules', () => {
  it('accepts a feature standing on infrastructure and on a lower feature', () => {
    expect(
      check([
        edge('src/oficios/a.ts', 'src/engine/engine.service.ts'),
        edge('src/engine/b.ts', 'src/database/transaction.ts'),
      ]).problems,
    ).toEqual([]);
  });

  it('refuses two folders importing each other', () => {
    const { problems } = check([
      edge('src/oficios/a.ts', 'src/engine/b.ts'),
      edge('src/engine/c.ts', 'src/oficios/d.ts'),
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/dos sentidos entre oficios y engine/);
  });

  it('refuses infrastructure importing a feature', () => {
    const { problems } = check([edge('src/queue/runner.ts', 'src/provisioning/provision.processor.ts')]);
    expect(problems.join('\n')).toMatch(/infraestructura \(queue\) importa una funcionalidad \(provisioning\)/);
  });

  it("refuses a module importing another module's entities or entity list", () => {
    expect(check([edge('src/web/a.ts', 'src/catalog/entities/cuenta.entity.ts')]).problems.join('\n')).toMatch(
      /web importa entidades de catalog/,
    );
    expect(check([edge('src/web/a.ts', 'src/engine/engine.entities.ts')]).problems.join('\n')).toMatch(
      /web importa entidades de engine/,
    );
    // The composition root gathers them: allowed.
    expect(check([edge('src/entities.ts', 'src/engine/engine.entities.ts')]).problems).toEqual([]);
  });

  it('refuses machines importing from src, and anything importing the composition', () => {
    expect(check([edge('machines/parts/setup.ts', 'src/engine/actor.ts')]).problems.join('\n')).toMatch(
      /machines\/ importa de src/,
    );
    expect(check([edge('src/web/a.ts', 'src/app.module.ts')]).problems.join('\n')).toMatch(/importa la composición/);
  });
});

import { ProgressBar } from './progress-bar';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { out: string } {
  const s = { isTTY, columns: 100, out: '', write: (chunk: string) => ((s.out += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { out: string };
}

describe('ProgressBar', () => {
  it('draws on a terminal, in place, and ends the line', () => {
    const stream = fakeStream(true);
    const bar = new ProgressBar('Trabajadores', stream);
    bar.update(500, 1000);
    bar.update(1000, 1000);
    bar.finish();
    const frames = stream.out.split('\r').filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^Trabajadores \[█+░+\]  50% 500\/1,000/);
    expect(frames[1]).toMatch(/\[█+\] 100% 1,000\/1,000 · [\d,]+ reg\/s\x1b\[K\n$/);
  });

  it('stays silent when the stream is not a terminal', () => {
    const stream = fakeStream(false);
    const bar = new ProgressBar('Trabajadores', stream);
    bar.update(1, 2);
    bar.update(2, 2);
    bar.finish();
    expect(stream.out).toBe('');
  });
});

import type { ChildProcess } from 'node:child_process';

export type OutputStream = 'stdout' | 'stderr';

/**
 * A child process's stdout and stderr as the tests read them: the last `keep` characters for failure messages, and
 * whether a marker line ever went by. The marker is looked for in the stream as it arrives, not in the tail: a web
 * process prints «escucha en» through process.stdout at once, while its logger (pino, asynchronous) writes the
 * buffered route table after it, more than 20 000 characters under LOG_LEVEL=debug, which pushed the marker out of
 * the tail before the next look and left the test waiting for a process that was serving.
 */
export class ProcessOutput {
  private tail = '';
  private readonly carry: Record<OutputStream, string> = { stdout: '', stderr: '' };
  private readonly seen = new Set<string>();
  private readonly overlap: number;

  constructor(
    private readonly markers: readonly string[],
    private readonly keep = 20_000,
  ) {
    // Enough of a stream's previous text to find a marker split between two chunks.
    this.overlap = Math.max(0, ...markers.map((m) => m.length - 1));
  }

  /** Text as it arrives from one stream, already decoded. */
  append(text: string, stream: OutputStream): void {
    const window = this.carry[stream] + text;
    for (const m of this.markers) if (window.includes(m)) this.seen.add(m);
    this.carry[stream] = this.overlap === 0 ? '' : window.slice(-this.overlap);
    this.tail = (this.tail + text).slice(-this.keep);
  }

  /** Whether `marker` (one of the constructor's) has gone by on either stream. */
  has(marker: string): boolean {
    return this.seen.has(marker);
  }

  /** The last `keep` characters of both streams, in arrival order. */
  text(): string {
    return this.tail;
  }

  /**
   * Reads a child's pipes, decoded as UTF-8 by the streams (a character split between two chunks, the «ó» of a
   * Spanish line, arrives whole), passing every chunk to `onOutput` too.
   */
  static of(
    child: ChildProcess,
    markers: readonly string[],
    onOutput?: (text: string, stream: OutputStream) => void,
  ): ProcessOutput {
    const out = new ProcessOutput(markers);
    for (const stream of ['stdout', 'stderr'] as const) {
      const pipe = child[stream];
      pipe?.setEncoding('utf8');
      pipe?.on('data', (text: string) => {
        onOutput?.(text, stream);
        out.append(text, stream);
      });
    }
    return out;
  }
}

/**
 * Waits until `child` prints `marker`. A process that exits first, or is not ready within `timeoutMs` (then killed,
 * and awaited through `exited`), fails with its output; `label` names it in Spanish («El proceso web»).
 */
export async function waitForMarker(
  child: ChildProcess,
  out: ProcessOutput,
  marker: string,
  timeoutMs: number,
  exited: Promise<void>,
  label: string,
): Promise<void> {
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + timeoutMs;
  while (!out.has(marker)) {
    if (!alive())
      throw new Error(`${label} terminó al iniciar (${child.exitCode ?? child.signalCode}). Salida:\n${out.text()}`);
    if (Date.now() > deadline) {
      if (alive()) child.kill('SIGKILL');
      await exited;
      throw new Error(`${label} no terminó de iniciar en ${timeoutMs / 1000} s. Salida:\n${out.text()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

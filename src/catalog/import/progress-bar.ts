/**
 * A one-line progress bar for the CLIs, redrawn in place on a terminal. Off when the stream is not a TTY (a log file
 * or a pipe would fill with carriage returns), so callers can always use it.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private started = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (this.started === 0) this.started = now;
    // Redraw at most ten times a second, plus the final state.
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const fmt = (n: number): string => n.toLocaleString('es-MX');
    const tail = ` ${String(Math.floor(ratio * 100)).padStart(3)}% ${fmt(done)}/${fmt(total)} · ${fmt(rate)} reg/s`;
    // Fixed width (room for the longest tail), so the bar does not jump as the numbers grow.
    const width = Math.max(10, Math.min(30, (this.stream.columns || 80) - this.label.length - 44));
    const filled = Math.round(ratio * width);
    this.stream.write(`\r${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the line so what follows starts clean. */
  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

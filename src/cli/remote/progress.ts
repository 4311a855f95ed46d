/**
 * The live display of a running operation: each workflow step with its name, status,
 * percentage and elapsed time.
 *
 * On a terminal the block is redrawn in place (ANSI: cursor up, clear, redraw; a spinner and the
 * clock tick between polls). Elsewhere — CI logs, pipes, tests — it prints the steps once, then one
 * line per change (a step's status or percentage), each stamped with the time since the wait began.
 */
import type { Operation, Step } from '../../client/types.ts';

export interface ProgressOptions {
  out: NodeJS.WritableStream & { columns?: number };
  /** Redraw in place (a terminal) or print one line per change. */
  tty: boolean;
  color: boolean;
  /** What is being watched, e.g. "Publishing contoso-vm". */
  title: string;
  now?: () => number;
}

interface StepTiming {
  startedAt?: number;
  endedAt?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

export class ProgressDisplay {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  readonly #timings = new Map<string, StepTiming>();
  readonly #printed = new Map<string, string>();
  #operation: Operation | undefined;
  #drawnLines = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    if (options.tty) {
      options.out.write('\x1b[?25l');
      this.#timer = setInterval(() => this.#draw(), 120);
      this.#timer.unref();
    }
  }

  update(operation: Operation): void {
    if (this.#stopped) return;
    const now = this.#now();
    for (const step of operation.steps) {
      const timing = this.#timings.get(step.id) ?? {};
      if (step.status === 'inProgress') timing.startedAt ??= now;
      else if (timing.startedAt !== undefined) timing.endedAt ??= now;
      this.#timings.set(step.id, timing);
    }
    const first = this.#operation === undefined;
    this.#operation = operation;
    if (this.#options.tty) this.#draw();
    else this.#printChanges(operation, first);
  }

  /** Ends the display: the last state stays on screen, the cursor comes back. */
  stop(): void {
    if (this.#stopped) return;
    if (this.#options.tty) {
      clearInterval(this.#timer);
      this.#draw();
      this.#options.out.write('\x1b[?25h');
    }
    this.#stopped = true;
  }

  #elapsed(step: Step): string {
    const timing = this.#timings.get(step.id);
    if (timing?.startedAt === undefined) return '';
    return formatDuration((timing.endedAt ?? this.#now()) - timing.startedAt);
  }

  #printChanges(operation: Operation, first: boolean): void {
    const { out } = this.#options;
    if (first) out.write(`${this.#options.title}: operation ${operation.id}\n`);
    const stamp = `+${formatDuration(this.#now() - this.#started)}`.padStart(8);
    for (const step of operation.steps) {
      const state = `${step.status} ${step.progressPercentage}%`;
      if (this.#printed.get(step.id) === state) continue;
      this.#printed.set(step.id, state);
      const elapsed = this.#elapsed(step);
      out.write(
        `${stamp}  ${`${step.stepName} (${step.id})`.padEnd(60)} ${step.status.padEnd(26)} ${String(step.progressPercentage).padStart(3)}%${elapsed && step.status !== 'inProgress' ? `  in ${elapsed}` : ''}\n`,
      );
    }
  }

  #paint(code: number, text: string): string {
    return this.#options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  #symbol(step: Step): string {
    switch (step.status) {
      case 'complete':
        return this.#paint(32, '✔');
      case 'inProgress':
        return this.#paint(36, SPINNER[this.#frame % SPINNER.length]!);
      case 'waitingForPublisherReview':
        return this.#paint(33, '◆');
      case 'blocked':
        return this.#paint(31, '✖');
      case 'canceled':
        return this.#paint(31, '⊘');
      default:
        return this.#paint(90, '·');
    }
  }

  #draw(): void {
    const operation = this.#operation;
    if (!operation || this.#stopped) return;
    this.#frame++;
    const width = Math.max(40, (this.#options.out.columns || 120) - 1);
    // Lines must never wrap, or moving the cursor up would not reach the top of the block.
    const fit = (line: string, room: number) => (line.length > room ? `${line.slice(0, room - 1)}…` : line);
    const clock = formatDuration(this.#now() - this.#started);
    const lines = [`${fit(`${this.#options.title}: operation ${operation.id}`, width - clock.length - 2)}  ${this.#paint(90, clock)}`];
    for (const step of operation.steps) {
      const pct = step.progressPercentage;
      const filled = Math.round(pct / 10);
      const bar = step.status === 'inProgress' ? `${'█'.repeat(filled)}${'░'.repeat(10 - filled)}` : ' '.repeat(10);
      const text = fit(
        `${step.stepName.padEnd(44)} ${step.status.padEnd(26)} ${bar} ${String(pct).padStart(3)}%  ${this.#elapsed(step).padStart(7)}`,
        width - 4,
      );
      lines.push(`  ${this.#symbol(step)} ${text}`);
    }
    const { out } = this.#options;
    out.write(`${this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F\x1b[0J` : ''}${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }
}

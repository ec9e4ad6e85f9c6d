/**
 * The release journey's log: one line per step and check (step → outcome, digests), kept in
 * memory for printing and appended to a file as it goes, so a run that fails half way still
 * leaves what it did.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

export class JourneyLog {
  private readonly lines: string[] = [];
  private readonly started = performance.now();

  constructor(readonly file: string) {
    writeFileSync(file, '');
  }

  /** Adds a line, prefixed with the seconds since the journey started. */
  line(text: string): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1).padStart(6);
    const line = `${seconds} s  ${text}`;
    this.lines.push(line);
    appendFileSync(this.file, `${line}\n`);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

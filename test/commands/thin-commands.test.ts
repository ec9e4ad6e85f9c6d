/**
 * Commands stay thin (parse, call the library, render, return the --json value): every
 * command's run() fits in 40 lines, counted from `async run()` to its closing brace. Policy
 * that grows a run() past that belongs in the library, output in a formatter beside it.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { globSync } from 'tinyglobby';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';

const MAX_RUN_LINES = 40;

/** The line count of each `run` method declared in a source file. */
function runMethodLines(file: string, text = readFileSync(file, 'utf8')): number[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isMethodDeclaration(node) && node.name.getText(source) === 'run' && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      lines.push(last - first + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

const commandFiles = globSync('src/commands/**/*.ts', { cwd: repoRoot, absolute: true }).sort();

describe('thin commands', () => {
  it('GIVEN the command sources THEN each declares one run()', () => {
    expect(commandFiles.length).toBeGreaterThan(20);
    const withoutOneRun = commandFiles.filter((file) => runMethodLines(file).length !== 1);
    expect(withoutOneRun.map((file) => relative(repoRoot, file))).toEqual([]);
  });

  it(`GIVEN every command THEN its run() is at most ${MAX_RUN_LINES} lines`, () => {
    const tooLong = commandFiles
      .map((file) => ({ file: relative(repoRoot, file), lines: runMethodLines(file)[0] ?? 0 }))
      .filter(({ lines }) => lines > MAX_RUN_LINES)
      .map(({ file, lines }) => `${file}: run() is ${lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('GIVEN a run() of 42 lines beside a longer helper THEN the measure counts 42 for run()', () => {
    const statements = (count: number) =>
      Array.from({ length: count }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const text = `class C {\n  async run(): Promise<void> {\n${statements(40)}\n  }\n\n  private helper(): void {\n${statements(50)}\n  }\n}\n`;
    expect(runMethodLines('c.ts', text)).toEqual([42]);
  });
});

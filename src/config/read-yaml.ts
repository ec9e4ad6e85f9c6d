/**
 * Reads a YAML file into a document that keeps source positions, turning every way the read
 * can fail (missing, a folder, unreadable, empty, bad syntax) into a usage error.
 */
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { errors } from '../errors/index.js';
import { SourceLocator } from './source-location.js';

export interface YamlSource {
  readonly document: Document;
  readonly locator: SourceLocator;
}

export function readYamlFile(file: string): YamlSource {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw errors.configNotAFile(file);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) throw errors.configNotFound(file);
    if (isErrno(error, 'EACCES') || isErrno(error, 'EPERM'))
      throw errors.configUnreadable(file, error);
    throw error;
  }
  return parseYaml(file, text);
}

export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  // A comments-only file parses to an empty stream (no documents at all).
  const parsed = parseAllDocuments(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const documents: readonly Document[] = 'empty' in parsed ? [] : parsed;
  const first = documents[0];
  const emptyFile = (at: SourceLocator | undefined) =>
    errors.configEmpty(file, {
      location: at?.at(0) ?? { file, line: 1, column: 1 },
      field: '',
      message: 'the file has no content; it needs at least api_version, name, bento and target',
    });
  if (first === undefined) throw emptyFile(undefined);
  const locator = new SourceLocator(file, first, lines);
  const problems = documents.flatMap((document) => document.errors);
  const problem = problems[0];
  if (problem !== undefined) {
    // Only the first: later YAML errors are mostly echoes of the first one.
    const explained = explainSyntaxError(text, problem);
    throw errors.configSyntax(file, [
      { location: locator.at(explained.offset), field: '', message: explained.message },
    ]);
  }
  if (documents.length > 1) {
    const second = documents[1]?.contents?.range?.[0] ?? 0;
    throw errors.configSyntax(file, [
      {
        location: locator.at(second),
        field: '',
        message: 'the file holds several YAML documents (---); a config is one document',
      },
    ]);
  }
  if (isBlank(first)) throw emptyFile(locator);
  return { document: first, locator };
}

/**
 * The YAML parser's words for the common mistakes, and the place a person would look: the
 * parser reports an over-indented line at the value of the line above it, and an unquoted
 * `${VAR}` in a flow mapping as an unexpected token.
 */
function explainSyntaxError(
  text: string,
  problem: { readonly code: string; readonly message: string; readonly pos: [number, number] },
): { offset: number; message: string } {
  const at = problem.pos[0];
  if (/missing closing|must .*end with/i.test(problem.message)) {
    return { offset: unterminatedOpening(text) ?? at, message: firstLine(problem.message) };
  }
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
  const line = text.slice(lineStart, lineEnd);
  const reference = line.indexOf('${');
  if (
    problem.code === 'UNEXPECTED_TOKEN' &&
    reference >= 0 &&
    /[{[]/.test(line.slice(0, reference))
  ) {
    return {
      offset: lineStart + reference,
      message:
        'a ${VAR} inside { } or [ ] must be quoted: write "${VAR}" (it is still read as a number where one is expected)',
    };
  }
  if (problem.code === 'BLOCK_AS_IMPLICIT_KEY' || problem.code === 'BAD_INDENT') {
    const next = overIndentedLineAfter(text, lineStart);
    if (next !== undefined) {
      return {
        offset: next.offset,
        message: `this line is indented more than the field above it (${next.above.trim()}); indent it like its sibling fields, or give that field no value of its own`,
      };
    }
  }
  return { offset: at, message: firstLine(problem.message) };
}

/** The first non-blank line after the one at `lineStart` that is indented deeper than it. */
function overIndentedLineAfter(
  text: string,
  lineStart: number,
): { offset: number; above: string } | undefined {
  const lines = text.slice(lineStart).split('\n');
  const above = lines[0] ?? '';
  const indent = (line: string) => line.length - line.trimStart().length;
  let offset = lineStart + above.length + 1;
  for (const line of lines.slice(1)) {
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
      return indent(line) > indent(above) ? { offset: offset + indent(line), above } : undefined;
    }
    offset += line.length + 1;
  }
  return undefined;
}

/**
 * Where the quote or bracket that never closes was opened. YAML reports these at the end of
 * the file, which is not where anyone would look.
 */
function unterminatedOpening(text: string): number | undefined {
  const brackets: number[] = [];
  let quote: { char: string; at: number } | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') comment = false;
    if (comment) continue;
    if (quote !== undefined) {
      if (char === '\\' && quote.char === '"') i++;
      else if (char === quote.char) quote = undefined;
      continue;
    }
    if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) comment = true;
    else if ((char === '"' || char === "'") && /[\s:[{,-]|^$/.test(text[i - 1] ?? ''))
      quote = { char, at: i };
    else if (char === '{' || char === '[') brackets.push(i);
    else if (char === '}' || char === ']') brackets.pop();
  }
  return quote?.at ?? brackets.at(-1);
}

function isBlank(document: Document): boolean {
  const value: unknown = document.toJS();
  return value === null || value === undefined || value === '';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

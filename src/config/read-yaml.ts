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
    const unterminated = /missing closing|must .*end with/i.test(problem.message);
    const offset = unterminated ? (unterminatedOpening(text) ?? problem.pos[0]) : problem.pos[0];
    throw errors.configSyntax(file, [
      { location: locator.at(offset), field: '', message: firstLine(problem.message) },
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

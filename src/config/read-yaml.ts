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
    if (isErrno(error, 'EACCES') || isErrno(error, 'EPERM')) throw errors.configUnreadable(file, error);
    throw error;
  }
  return parseYaml(file, text);
}

export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  // A comments-only file parses to an empty stream (no documents at all).
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
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
  if (problems.length > 0) {
    throw errors.configSyntax(
      file,
      problems.slice(0, 5).map((problem) => ({
        location: locator.at(problem.pos[0]),
        field: '',
        message: firstLine(problem.message),
      })),
    );
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

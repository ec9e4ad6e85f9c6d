/**
 * How a BentoctlError reads in a terminal and in `--json` output. One diagnostic per line,
 * `file:line:column` first so terminals and editors make it clickable.
 */
import { formatLocation, type BentoctlError } from '../errors/index.js';

export function renderError(error: BentoctlError): string {
  // An interruption is not a failure: it reads as what happened, then what to do next.
  const interrupted = error.kind === 'interrupted';
  const lines = [interrupted ? error.message : `Error [${error.code}]: ${error.message}`];
  for (const diagnostic of error.diagnostics) {
    const field = diagnostic.field === '' ? '' : `${diagnostic.field}: `;
    lines.push(`  ${formatLocation(diagnostic.location)}  ${field}${diagnostic.message}`);
    if (diagnostic.suggestion !== undefined)
      lines.push(`      did you mean ${diagnostic.suggestion}?`);
  }
  if (error.hint !== undefined) lines.push(`${interrupted ? 'Next' : 'Fix'}: ${error.hint}`);
  return lines.join('\n');
}

/** The machine-readable form printed under `--json`. */
export function errorToJson(error: BentoctlError) {
  return {
    error: {
      code: error.code,
      kind: error.kind,
      message: error.message,
      hint: error.hint ?? null,
      diagnostics: error.diagnostics.map((diagnostic) => ({
        file: diagnostic.location.file,
        line: diagnostic.location.line,
        column: diagnostic.location.column,
        field: diagnostic.field,
        message: diagnostic.message,
        suggestion: diagnostic.suggestion ?? null,
      })),
    },
  };
}

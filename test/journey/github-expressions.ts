/**
 * The part of GitHub's expression language the workflow templates use: `${{ a.b.c }}` context
 * look-ups, string literals, and `||` (the first truthy operand, else the last). Anything else
 * is refused by name, so a template that starts using more fails here instead of being run with
 * a wrong value.
 */

/** The contexts a step sees: env, vars, secrets, matrix, steps, github, ... */
export type Contexts = Readonly<Record<string, unknown>>;

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/;

/** `text` with every `${{ ... }}` replaced by its value as a string (`''` for null/undefined). */
export function interpolate(text: string, contexts: Contexts, where: string): string {
  return text.replace(EXPRESSION, (_match, expression: string) =>
    asString(evaluate(expression, contexts, where)),
  );
}

/** Interpolates every string in a `with:` or `env:` map. */
export function interpolateAll(
  values: Readonly<Record<string, unknown>> | undefined,
  contexts: Contexts,
  where: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values ?? {}).map(([key, value]) => [
      key,
      interpolate(asString(value), contexts, `${where} ${key}`),
    ]),
  );
}

export function evaluate(expression: string, contexts: Contexts, where: string): unknown {
  const operands = splitOr(expression);
  let value: unknown;
  for (const operand of operands) {
    value = operandValue(operand.trim(), contexts, where, expression);
    if (truthy(value)) return value;
  }
  return value;
}

function operandValue(operand: string, contexts: Contexts, where: string, whole: string): unknown {
  const literal = /^'((?:[^']|'')*)'$/.exec(operand);
  if (literal) return literal[1]!.replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(operand)) return Number(operand);
  if (operand === 'true' || operand === 'false') return operand === 'true';
  if (operand === 'null') return null;
  if (!PATH.test(operand)) {
    throw new Error(
      `${where}: the journey runner evaluates context paths, '...' literals and || only, not \`${whole}\``,
    );
  }
  const [context, ...keys] = operand.split('.');
  if (!(context! in contexts)) {
    throw new Error(`${where}: \`${whole}\` reads the ${context} context, which this run has not`);
  }
  let value: unknown = contexts[context!];
  for (const key of keys) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** Splits on `||` outside string literals. */
function splitOr(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '|' && expression[i + 1] === '|') {
      parts.push(current);
      current = '';
      i++;
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== 0 && value !== false;
}

function asString(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

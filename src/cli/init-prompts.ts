/**
 * The interactive side of `bentoctl init`, on @inquirer/prompts. Loaded only when a terminal is
 * attached, so CI and `--help` never pay for it.
 */
import { input, number, search, select } from '@inquirer/prompts';
import type { InitAsker } from '../config/new-config.js';
import type { SpecField } from '../targets/describe-spec.js';
import type { TargetDefinition } from '../targets/target.js';

export const terminalAsker: InitAsker = {
  async target(targets) {
    return select({
      message: 'Deployment target',
      choices: targets.map((target) => ({
        value: target.name,
        name: target.name,
        description: target.summary,
      })),
    });
  },

  async text(question, defaultValue, check) {
    return input({ message: question, default: defaultValue, validate: check });
  },

  async specField(target, field, defaultValue) {
    const message = `${field.name}: ${field.description}`;
    const check = (value: unknown): string | true => checkField(target, field, value);
    if (field.values !== null && field.values.length > 10) {
      const values = field.values;
      return search({
        message,
        source: (term) =>
          values
            .filter((value) => String(value).includes(term ?? ''))
            .sort((a, b) => (a === defaultValue ? -1 : b === defaultValue ? 1 : 0))
            .map((value) => ({ value, name: String(value) })),
      });
    }
    if (field.values !== null) {
      return select({
        message,
        default: defaultValue,
        choices: field.values.map((value) => ({ value, name: String(value) })),
      });
    }
    if (field.type === 'integer' || field.type === 'number') {
      return number({
        message,
        default: typeof defaultValue === 'number' ? defaultValue : undefined,
        required: true,
        step: field.type === 'integer' ? 1 : 'any',
        validate: check,
      });
    }
    if (field.type.startsWith('list of')) {
      // Lists are typed as one line, comma- or space-separated.
      const answer = await input({
        message: `${message} (comma-separated)`,
        validate: (text) => check(splitList(text)),
      });
      return splitList(answer);
    }
    return input({
      message,
      default: typeof defaultValue === 'string' ? defaultValue : undefined,
      validate: check,
    });
  },
};

/** The field's own schema decides, so the prompt accepts exactly what validate accepts. */
function checkField(target: TargetDefinition, field: SpecField, value: unknown): string | true {
  const schema = target.specSchema.shape[field.name];
  if (schema === undefined) return true;
  const result = schema.safeParse(value);
  return result.success ? true : (result.error.issues[0]?.message ?? 'invalid value');
}

function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '');
}

/**
 * The interactive side of `bentoctl init`, on @inquirer/prompts. Loaded only when a terminal is
 * attached, so CI and `--help` never pay for it.
 */
import { input, number, search, select } from '@inquirer/prompts';
import type { InitAsker, ProblemChoice } from '../config/new-config.js';
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

  async problems(diagnostics) {
    const listed = diagnostics.map((d) => `  ${d.field || '(file)'}: ${d.message}`).join('\n');
    return select<ProblemChoice>({
      message: `The answers together still have ${diagnostics.length} problem(s):\n${listed}\nWhat now?`,
      choices: [
        { value: 'fix', name: 'Fix them: ask those questions again' },
        { value: 'write', name: 'Write the file anyway, with the problems listed at its top' },
        { value: 'cancel', name: 'Cancel: write nothing' },
      ],
    });
  },

  async specField(target, field, defaultValue, checkAnswer) {
    const message = `${field.name}: ${field.description}`;
    // The field's own schema first (cheap, exact wording), then the whole config's rules.
    const check = async (value: unknown): Promise<string | true> => {
      const own = checkField(target, field, value);
      return own === true ? checkAnswer(value) : own;
    };
    if (field.values !== null && field.values.length > 10) {
      const values = field.values;
      return search({
        validate: check,
        message,
        source: (term) =>
          values
            .filter((value) => String(value).includes(term ?? ''))
            .sort((a, b) => (a === defaultValue ? -1 : b === defaultValue ? 1 : 0))
            .map((value) => ({ value, name: String(value) })),
      });
    }
    if (field.values !== null) {
      // select has no validate hook: a choice that breaks a rule between fields is asked again.
      let choice = defaultValue;
      for (;;) {
        choice = await select({
          message,
          default: choice,
          choices: (field.values ?? []).map((value) => ({ value, name: String(value) })),
        });
        const verdict = await check(choice);
        if (verdict === true) return choice;
        process.stderr.write(`> ${verdict}\n`);
      }
    }
    if (field.type === 'integer' || field.type === 'number') {
      const fallback = typeof defaultValue === 'number' ? defaultValue : undefined;
      // A cleared answer means "the default", not "a number is required".
      const answer = await number({
        message,
        default: fallback,
        required: fallback === undefined,
        step: field.type === 'integer' ? 1 : 'any',
        validate: (value) => check(value ?? fallback),
      });
      return answer ?? fallback;
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

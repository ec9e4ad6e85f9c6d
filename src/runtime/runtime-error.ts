/**
 * The one base of the errors the runtime throws on purpose (answers to clients, settings,
 * inference threads): each is named after its class, so a log line says which, and
 * `instanceof RuntimeError` tells them from a bug.
 */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

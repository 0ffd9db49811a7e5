/**
 * The logger every keeper module takes: the subset of pino's API the keeper uses, so a pino logger
 * (`pino()`), a child logger, or a test's recorder all fit. Each call is one line: an object of fields
 * and/or a message.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** A logger that drops everything (tests, `--quiet`). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Errors are values with names (viem's BaseError style): each says what was wrong and, where it
 * helps, what to do. Tasks turn any `SsiError` into a user-facing Hardhat error without a stack trace.
 */
export class SsiError extends Error {
  override readonly name: string = "SsiError";
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
  }
}

/** Input data (a file, a CSV row, a JSON field) is malformed; the message names where. */
export class InputError extends SsiError {
  override readonly name = "InputError";
}

/** The methodology cannot be applied to this input (e.g. fewer eligible assets than constituents). */
export class MethodologyError extends SsiError {
  override readonly name = "MethodologyError";
}

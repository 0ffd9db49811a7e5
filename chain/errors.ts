/**
 * The chain layer's user-facing failure. It throws the project's named error (`SsiError`), not a
 * Hardhat one: the layer runs without Hardhat (the keeper as a plain Node process). A task's
 * `userErrors` turns it into Hardhat's stack-free user error with the same message.
 */
import { SsiError } from "../src/lib/errors";

/** Stops with a message for the user (what was wrong, in words; nothing was sent). */
export function fail(message: string): never {
  throw new SsiError(message);
}

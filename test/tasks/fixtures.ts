/**
 * Task-test helpers: capture a task's stdout, expect a user-facing failure, and a market for the
 * in-process network.
 */
import { HardhatPluginError } from "hardhat/plugins";
import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Runs a task in-process and returns what it wrote to stdout (stderr is swallowed). */
export async function runTask(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  (process.stdout as { write: unknown }).write = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  (process.stderr as { write: unknown }).write = () => true;
  try {
    await hre.run(name, args);
  } finally {
    (process.stdout as { write: unknown }).write = out;
    (process.stderr as { write: unknown }).write = err;
  }
  return chunks.join("");
}

/** Runs a task that must fail with a user-facing error (HardhatPluginError) whose message matches. */
export async function expectUserError(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await runTask(hre, name, args);
  } catch (e) {
    error = e;
  }
  expect(error, `${name} should have failed`).to.be.instanceOf(HardhatPluginError);
  expect((error as Error).message).to.match(message);
}

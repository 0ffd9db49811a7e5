import { existsSync, readFileSync } from "node:fs";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { isAddress, getAddress, parseUnits } from "ethers";
import { SsiError } from "../../src/lib/errors";
import { describeError } from "../../chain/revert";
import { firstSigner as firstSignerOf, type AccountSigner } from "../../chain/client";
import { clientFromHre } from "./client";

/** A user-facing failure: Hardhat prints the message without a stack trace. */
export function fail(message: string): never {
  throw new HardhatPluginError("ssi", message);
}

/**
 * Runs a task body, turning the project's named errors, and every chain error the shared decoder
 * knows (a contract's custom error, too little gas money, an unreachable node), into user-facing
 * Hardhat errors in words. Anything else (a bug) keeps its stack trace.
 */
export async function userErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof SsiError) fail(e.message);
    if (HardhatPluginError.isHardhatPluginError(e)) throw e;
    const words = describeError(e);
    if (words !== undefined) fail(words);
    throw e;
  }
}

/**
 * An address argument. All lower- or all upper-case hex is taken as given; mixed case must carry a
 * valid EIP-55 checksum (a typo in a copied address then fails here, as wallets refuse it).
 */
export function parseAddressArg(value: string | undefined, name: string): string {
  const text = (value ?? "").trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(text) && !isAddress(text)) {
    fail(`--${name} "${text}" has a bad checksum (mixed-case letters that do not match EIP-55): check the address for a typo, or give it all in lower case`);
  }
  if (!isAddress(text)) fail(`--${name} "${value ?? ""}" is not an address (0x followed by 40 hex digits)`);
  return getAddress(text);
}

/** A strictly positive decimal amount (e.g. "1.5") in `decimals` base units. */
export function parsePositiveAmount(value: string | undefined, name: string, decimals = 18): bigint {
  const text = (value ?? "").trim();
  if (!/^\d+(\.\d+)?$/.test(text)) fail(`--${name} "${value ?? ""}" is not a positive decimal number`);
  let amount: bigint;
  try {
    amount = parseUnits(text, decimals);
  } catch {
    fail(`--${name} "${text}" has more than ${decimals} decimal places`);
  }
  if (amount <= 0n) fail(`--${name} must be greater than zero`);
  return amount;
}

export function parseChoice<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T {
  const upper = (value ?? "").toUpperCase();
  const hit = choices.find((c) => c.toUpperCase() === upper);
  if (hit === undefined) fail(`--${name} "${value ?? ""}" is not one of ${choices.join(", ")}`);
  return hit;
}

export function readJsonArg(path: string | undefined, name: string): unknown {
  if (!path) fail(`--${name} is required`);
  if (!existsSync(path)) fail(`--${name}: file not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail(`--${name}: ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The account tasks send from: the network's first signer (`firstSigner` of chain/client.ts, which
 * names the missing DEPLOYER_KEY), as a user-facing error.
 */
export async function firstSigner(hre: HardhatRuntimeEnvironment): Promise<AccountSigner> {
  try {
    return await firstSignerOf(clientFromHre(hre));
  } catch (e) {
    if (e instanceof SsiError) fail(e.message);
    throw e;
  }
}

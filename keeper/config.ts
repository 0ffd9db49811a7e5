/**
 * The keeper's config file (JSON), validated with zod. Every bad field is reported by its path and what
 * was expected ("txTimeoutSeconds: must be at least 5"), never with a stack trace.
 */
import fs from "node:fs";
import { z } from "zod";
import { SsiError } from "../src/lib/errors";

/** The products part of the config (placeholder until the product modules' schema is merged). */
export const productsSchema = z.record(z.string(), z.unknown());

export const keeperConfigSchema = z
  .object({
    /** Blocks on top of the one that mined a transaction before the keeper takes the next step. */
    confirmations: z.number().int().min(1).max(64).default(1),
    /** {s} between two ticks of the loop (when nothing is due sooner). */
    pollSeconds: z.number().positive().max(86_400).default(30),
    /** {s} a transaction may wait unmined before it is replaced at the same nonce with a higher fee. */
    txTimeoutSeconds: z.number().min(1).max(3_600).default(60),
    /** {%} fee increase of a replacement, on both maxFeePerGas and the priority fee (nodes need >= 10%). */
    feeBumpPercent: z.number().min(12.5).max(300).default(20),
    /** {gwei} the highest maxFeePerGas (or legacy gasPrice) the keeper ever offers. */
    maxFeeGwei: z.number().positive().max(100_000).default(200),
    /** {%} gas limit above the node's estimate. */
    gasMarginPercent: z.number().min(0).max(200).default(20),
    /** {s} a work key whose step reverted waits before it is tried again with the same step (a changed step is tried at once). */
    revertRetrySeconds: z.number().min(0).default(3_600),
    /** Retries of one RPC call (errors, 5xx, timeouts), exponential backoff with full jitter. */
    retry: z
      .object({
        attempts: z.number().int().min(1).max(100).default(6),
        baseMs: z.number().int().min(1).max(60_000).default(250),
        maxMs: z.number().int().min(1).max(600_000).default(15_000),
        /** {ms} one RPC call may take before it counts as failed. */
        timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
      })
      .strict()
      .default({ attempts: 6, baseMs: 250, maxMs: 15_000, timeoutMs: 10_000 }),
    /** {s} /health answers 503 when the last successful tick is older than this (default 3 x pollSeconds + 60). */
    healthMaxAgeSeconds: z.number().positive().optional(),
    /** Per product: what the product modules read (data sources, signer keys...). */
    products: productsSchema.default({}),
  })
  .strict();

export type KeeperConfig = z.infer<typeof keeperConfigSchema>;

/** A config error in words (the message names every bad field). */
export class ConfigError extends SsiError {
  override readonly name = "ConfigError";
}

/** The config's problems, one per line: `field.path: what is wrong`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length > 0 ? i.path.map(String).join(".") : "(the file)";
      return `  ${where}: ${i.message}`;
    })
    .join("\n");
}

/** Validates a parsed config object (from a file or a test). */
export function parseConfig(value: unknown, source = "the keeper config"): KeeperConfig {
  // Top-level keys starting with "_" are comments (JSON has none): "_comment" in the example config.
  const input = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith("_"))) : value;
  const parsed = keeperConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`${source} is not valid:\n${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a JSON config file; no file = every default. */
export function loadConfig(file: string | undefined): KeeperConfig {
  if (file === undefined) return parseConfig({});
  if (!fs.existsSync(file)) throw new ConfigError(`the keeper config ${file} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`the keeper config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, `the keeper config ${file}`);
}

/**
 * The products part of the keeper's config file (`--config FILE`), validated with zod. One entry per
 * product; a product left out (or `enabled: false`) is not kept. Example: `keeper/examples/local-sample.json`.
 *
 * Keys are never written in the file: a signer is named by the environment variable holding its key
 * (`"env:WEIGHTS_SIGNER_KEY"`) or, on a development chain only, by a local account index of the client
 * (`"local:4"`: the in-process network's or a local node's unlocked accounts).
 */
import { z } from "zod";

/** A key reference: "env:NAME" (a 0x private key in that variable) or "local:N" (development chains only). */
export const keyRefSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|local:\d+)$/, 'a key reference is "env:VARIABLE_NAME" or "local:N" (a local account, development chains only)');
export type KeyRef = z.infer<typeof keyRefSchema>;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");

/**
 * Where a month-end universe (market caps, categories, flags) comes from:
 * - `universe-files`: universe JSON files (`src/data/universe.ts`, e.g. `sample/universe*.json`); the one
 *   dated on the determination date, or with `latestOnOrBefore` the latest dated on or before it (the
 *   sample's two months stand in for every later month: SAMPLE use only).
 * - `marketcap-csv`: a folder of per-asset CSVs in the layout of `../shared/data/marketcap` (`universeFromCsvDir`).
 * - `coingecko`: CoinGecko's current markets (the determination must be today or yesterday: CoinGecko
 *   serves "now"; `apiKeyEnv` names the variable holding a demo key).
 */
export const universeSourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("universe-files"), files: z.array(z.string().min(1)).min(1), latestOnOrBefore: z.boolean().default(false) }).strict(),
  z.object({ kind: z.literal("marketcap-csv"), dir: z.string().min(1) }).strict(),
  z.object({ kind: z.literal("coingecko"), apiKeyEnv: z.string().optional(), baseUrl: z.string().url().optional(), pages: z.number().int().min(1).max(20).default(2) }).strict(),
]);
export type UniverseSource = z.infer<typeof universeSourceSchema>;

/** The rebalance bounds `ssi:rebalance` takes: the per-trade chunk cap (at most the Rebalancer's). */
export const rebalanceBoundsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** {USD} chunk cap per trade, at most the Rebalancer's maxTradeUsd (`ssi:rebalance --max-trade-usd`). */
    maxTradeUsd: z.number().positive().optional(),
  })
  .strict();

const ssiProductSchema = z
  .object({
    enabled: z.boolean().default(true),
    data: universeSourceSchema,
    /** WeightOracle signers: the quorum's keys (several only on development chains; see README). */
    signers: z.array(keyRefSchema).min(1),
    /** {s} a report's validity after it is signed (capped at the oracle's maxValidity). */
    validFor: z.number().int().positive().default(3600),
    /** The monthly fee claim (keeper/products/fees.ts). */
    fees: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    rebalance: rebalanceBoundsSchema.default({ enabled: true }),
  })
  .strict();
export type SsiProductConfig = z.infer<typeof ssiProductSchema>;

/** SANX data: `DIR/mvrv/<sym>.csv` and `DIR/marketcap/<sym>.csv` (the layout of `sample/` and `../shared/data`). */
const sanxSchema = z
  .object({
    enabled: z.boolean().default(true),
    data: z.object({ kind: z.literal("sanx-csv"), dir: z.string().min(1) }).strict(),
    /**
     * Days added to every data date (the SAMPLE series end in 2024: a local chain replays them as recent
     * days, as the demo does). 0 for real data.
     */
    shiftDays: z.number().int().default(0),
    /** Signals of days older than this (before chain day - lookbackDays) are not relayed. */
    lookbackDays: z.number().int().min(1).max(365).default(7),
    /** Signals dated before this day (after the shift) are never relayed: where the keeper starts. */
    signalsFrom: isoDay.optional(),
    signalSigners: z.array(keyRefSchema).min(1),
    weightSigners: z.array(keyRefSchema).min(1),
    validFor: z.number().int().positive().default(3600),
    /** The monthly fee claim (keeper/products/fees.ts). */
    fees: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    rebalance: rebalanceBoundsSchema.default({ enabled: true }),
  })
  .strict();
export type SanxConfig = z.infer<typeof sanxSchema>;

/**
 * USSI positions: a positions JSON file in the `ussi:nav --positions` format (`src/ussi/positions.ts`; its
 * round, timestamp and supply are ignored: the keeper uses the vault's next round, the chain's time and
 * the vault's supply), or `adapter`: a module path whose default export (or `createPositionsSource`)
 * returns a `PositionsSource` (keeper/products/ussi.ts).
 */
const positionsSourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("file"), file: z.string().min(1) }).strict(),
  z.object({ kind: z.literal("adapter"), module: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }).strict(),
]);
export type PositionsSourceConfig = z.infer<typeof positionsSourceSchema>;

const ussiSchema = z
  .object({
    enabled: z.boolean().default(true),
    positions: positionsSourceSchema,
    signers: z.array(keyRefSchema).min(1),
    /** {s} between two NAV reports (one a day by default); at most the vault's maxNavAge. */
    navInterval: z.number().int().min(3600).default(86_400),
  })
  .strict();
export type UssiConfig = z.infer<typeof ussiSchema>;

export const productsConfigSchema = z
  .object({
    MAG7: ssiProductSchema.optional(),
    MEME: ssiProductSchema.optional(),
    DEFI: ssiProductSchema.optional(),
    SANX: sanxSchema.optional(),
    USSI: ussiSchema.optional(),
  })
  .strict();
export type ProductsConfig = z.infer<typeof productsConfigSchema>;
/** The config as written in the file (defaults not yet applied). */
export type ProductsConfigInput = z.input<typeof productsConfigSchema>;

/**
 * Parses and validates the products config; relative paths are resolved against `baseDir` (the config
 * file's folder). Throws an Error naming every problem (field path and why).
 */
export function parseProductsConfig(value: unknown, baseDir?: string): ProductsConfig {
  const r = productsConfigSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid keeper products config:\n  ${lines.join("\n  ")}`);
  }
  if (baseDir === undefined) return r.data;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("node:path") as typeof import("node:path");
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));
  const c = structuredClone(r.data);
  for (const p of ["MAG7", "MEME", "DEFI"] as const) {
    const d = c[p]?.data;
    if (d?.kind === "universe-files") d.files = d.files.map(abs);
    if (d?.kind === "marketcap-csv") d.dir = abs(d.dir);
  }
  if (c.SANX) c.SANX.data.dir = abs(c.SANX.data.dir);
  if (c.USSI?.positions.kind === "file") c.USSI.positions.file = abs(c.USSI.positions.file);
  if (c.USSI?.positions.kind === "adapter" && c.USSI.positions.module.startsWith(".")) c.USSI.positions.module = abs(c.USSI.positions.module);
  return c;
}

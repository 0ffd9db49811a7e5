import { existsSync, readFileSync } from "node:fs";
import type { Asset, Universe } from "../methodology/types";
import { parseDay } from "../lib/csv";
import { InputError } from "../lib/errors";

/**
 * The universe file: `{"date":"YYYY-MM-DD","assets":[{"symbol":"BTC","marketCapUsd":1.2e12,
 * "categories":["layer1"],"stablecoin":false,"wrapped":false}]}`.
 *
 * - `marketCapUsd`: a finite number >= 0 in USD, or `null` (missing; the asset is then not eligible).
 * - `categories`, `stablecoin`, `wrapped` are required, so a stablecoin is never eligible by omission.
 *   The flags decide eligibility (methodology section 1: every product, MEME and DEFI included,
 *   excludes stablecoins and wrapped, bridged or staked derivatives, whatever their category); a
 *   category that says the opposite of its flag (`"stablecoin"` with `stablecoin: false`, or one of
 *   `WRAPPED_CATEGORIES` with `wrapped: false`) is an error, so a hand-edited file cannot slip one in.
 * - optional `priceUsd` (> 0, USD per whole token), used by demos for mock price feeds.
 * - keys starting with `_` (e.g. `"_sample"`, `"_comment"`) are ignored at both levels; any other
 *   unknown key is an error (it catches typos such as `marketcapUsd`).
 * - symbols are unique, compared case-insensitively.
 */
/** Category tags that mean a wrapped, bridged or staked derivative (the `wrapped` flag must be true). */
export const WRAPPED_CATEGORIES: readonly string[] = ["wrapped", "bridged", "staked", "liquid-staking", "liquid-restaking"];

const ASSET_KEYS = new Set(["symbol", "marketCapUsd", "categories", "stablecoin", "wrapped", "priceUsd"]);
const TOP_KEYS = new Set(["date", "assets"]);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string, source: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith("_") && !allowed.has(k)) {
      throw new InputError(`${source}: ${where}${where ? "." : ""}${k} is not a known field (known: ${[...allowed].join(", ")})`);
    }
  }
}

/**
 * Validates parsed JSON as a universe.
 * @param json the parsed file
 * @param source the file name, for errors
 * @returns the universe (assets in file order)
 * @throws InputError naming the source and the field path, e.g. `sample.json: assets[3].marketCapUsd ...`
 */
export function parseUniverse(json: unknown, source: string): Universe {
  if (!isObject(json)) throw new InputError(`${source}: expected a JSON object {"date": ..., "assets": [...]}`);
  checkKeys(json, TOP_KEYS, "", source);
  if (typeof json.date !== "string") throw new InputError(`${source}: date must be a string "YYYY-MM-DD"`);
  parseDay(json.date, `${source}: date`);
  if (!Array.isArray(json.assets)) throw new InputError(`${source}: assets must be an array`);
  const seen = new Map<string, number>();
  const assets = json.assets.map((raw: unknown, i: number): Asset => {
    const at = `assets[${i}]`;
    const bad = (field: string, what: string): never => {
      throw new InputError(`${source}: ${at}.${field} ${what}`);
    };
    if (!isObject(raw)) throw new InputError(`${source}: ${at} must be an object`);
    checkKeys(raw, ASSET_KEYS, at, source);
    const { symbol, marketCapUsd, categories, stablecoin, wrapped, priceUsd } = raw;
    if (typeof symbol !== "string" || !/^\S+$/.test(symbol)) bad("symbol", `must be a non-empty string without spaces, got ${JSON.stringify(symbol)}`);
    const sym = symbol as string;
    const prev = seen.get(sym.toUpperCase());
    if (prev !== undefined) bad("symbol", `"${sym}" duplicates assets[${prev}].symbol`);
    seen.set(sym.toUpperCase(), i);
    if (marketCapUsd !== null && (typeof marketCapUsd !== "number" || !Number.isFinite(marketCapUsd) || marketCapUsd < 0)) {
      bad("marketCapUsd", `must be a finite number >= 0 (USD) or null, got ${JSON.stringify(marketCapUsd)}`);
    }
    if (!Array.isArray(categories)) bad("categories", `must be an array of strings, got ${JSON.stringify(categories)}`);
    (categories as unknown[]).forEach((c, j) => {
      if (typeof c !== "string" || c === "") bad(`categories[${j}]`, `must be a non-empty string, got ${JSON.stringify(c)}`);
    });
    if (typeof stablecoin !== "boolean") bad("stablecoin", `must be true or false, got ${JSON.stringify(stablecoin)}`);
    if (typeof wrapped !== "boolean") bad("wrapped", `must be true or false, got ${JSON.stringify(wrapped)}`);
    const cats = (categories as string[]).map((c) => c.toLowerCase());
    if (cats.includes("stablecoin") && stablecoin !== true) {
      bad("stablecoin", `is false but categories name "stablecoin": set it true (stablecoins are excluded from every product, methodology section 1)`);
    }
    const derivative = cats.find((c) => WRAPPED_CATEGORIES.includes(c));
    if (derivative !== undefined && wrapped !== true) {
      bad("wrapped", `is false but categories name "${derivative}": set it true (wrapped, bridged and staked derivatives are excluded from every product, methodology section 1)`);
    }
    if (priceUsd !== undefined && (typeof priceUsd !== "number" || !Number.isFinite(priceUsd) || priceUsd <= 0)) {
      bad("priceUsd", `must be a finite number > 0 (USD per token), got ${JSON.stringify(priceUsd)}`);
    }
    const asset: Asset = {
      symbol: sym,
      marketCapUsd: marketCapUsd === null ? undefined : (marketCapUsd as number),
      categories: [...(categories as string[])],
      stablecoin: stablecoin as boolean,
      wrapped: wrapped as boolean,
      ...(priceUsd === undefined ? {} : { priceUsd: priceUsd as number }),
    };
    return asset;
  });
  return { date: json.date, assets };
}

/**
 * Reads and validates a universe file.
 * @throws InputError when the file is missing, is not JSON, or fails `parseUniverse`
 */
export function loadUniverseFile(path: string): Universe {
  if (!existsSync(path)) throw new InputError(`universe file not found: ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseUniverse(json, path);
}

/** A universe as JSON text in the file format (missing caps written as null), 2-space indented. */
export function formatUniverse(universe: Universe, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      ...extra,
      date: universe.date,
      assets: universe.assets.map((a) => ({
        symbol: a.symbol,
        marketCapUsd: a.marketCapUsd ?? null,
        categories: a.categories,
        stablecoin: a.stablecoin,
        wrapped: a.wrapped,
        ...(a.priceUsd === undefined ? {} : { priceUsd: a.priceUsd }),
      })),
    },
    null,
    2,
  );
}

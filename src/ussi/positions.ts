/**
 * The positions JSON read by `ussi:nav`: the book in human units, every amount a decimal STRING
 * (no floats cross to the chain), converted exactly to 1e18 fixed point.
 *
 * {
 *   "round": 12,                         // integer >= 0
 *   "timestamp": "2026-06-30T16:00:00Z", // ISO UTC seconds, or unix seconds as an integer
 *   "supply": "1000000",                 // USSI tokens
 *   "cash": "50000",                     // USD (USDC held, incl. the buffer)
 *   "fundingAccrued": "0",               // USD settled on the perp account, not yet swept (optional, 0)
 *   "assets": {
 *     "BTC": { "price": "65000", "spot": "1.5", "perp": "-1.5", "entryPrice": "64000" }
 *   }                                    // perp < 0 is short; entryPrice needed when perp != 0
 * }
 */
import { InputError } from "../lib/errors";
import { parseWad } from "./fixed";
import { parseIsoSecond } from "./funding";
import type { Book, PerpPosition, Prices } from "./hedge";

export interface PositionsInput {
  readonly round: bigint;
  readonly timestamp: bigint;
  readonly supply: bigint; // {1e18 token}
  readonly book: Book;
  readonly prices: Prices;
}

function decimal(value: unknown, where: string, allowNegative: boolean): bigint {
  if (typeof value !== "string") throw new InputError(`${where} must be a decimal string, e.g. "1.5"`);
  const wad = parseWad(value, where);
  if (!allowNegative && wad < 0n) throw new InputError(`${where} must not be negative, got ${value}`);
  return wad;
}

function integer(value: unknown, where: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw new InputError(`${where} must be a non-negative integer`);
}

/** Validates and converts a parsed positions JSON. `where` names the file in errors. */
export function parsePositions(value: unknown, where: string): PositionsInput {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError(`${where}: expected a JSON object`);
  const v = value as Record<string, unknown>;
  const round = integer(v["round"], `${where}: round`);
  const timestamp =
    typeof v["timestamp"] === "string" && v["timestamp"].includes("T")
      ? BigInt(parseIsoSecond(v["timestamp"], `${where}: timestamp`))
      : integer(v["timestamp"], `${where}: timestamp`);
  const supply = decimal(v["supply"], `${where}: supply`, false);
  if (supply === 0n) throw new InputError(`${where}: supply must be positive`);
  const cash = decimal(v["cash"] ?? "0", `${where}: cash`, true);
  const fundingAccrued = decimal(v["fundingAccrued"] ?? "0", `${where}: fundingAccrued`, true);
  const assets = v["assets"];
  if (typeof assets !== "object" || assets === null || Array.isArray(assets))
    throw new InputError(`${where}: assets must be an object of symbol -> position`);
  const spot: Record<string, bigint> = {};
  const perp: Record<string, PerpPosition> = {};
  const prices: Record<string, bigint> = {};
  for (const [symbol, raw] of Object.entries(assets as Record<string, unknown>)) {
    const at = `${where}: assets.${symbol}`;
    if (typeof raw !== "object" || raw === null) throw new InputError(`${at} must be an object`);
    const a = raw as Record<string, unknown>;
    const price = decimal(a["price"], `${at}.price`, false);
    if (price === 0n) throw new InputError(`${at}.price must be positive`);
    prices[symbol] = price;
    spot[symbol] = decimal(a["spot"] ?? "0", `${at}.spot`, false);
    const size = decimal(a["perp"] ?? "0", `${at}.perp`, true);
    if (size !== 0n) {
      if (a["entryPrice"] === undefined) throw new InputError(`${at}.entryPrice is required when perp is not 0`);
      perp[symbol] = { size, entryPrice: decimal(a["entryPrice"], `${at}.entryPrice`, false) };
    }
  }
  return { round, timestamp, supply, book: { spot, perp, cash, fundingAccrued }, prices };
}

import type { Asset, Universe } from "../methodology/types";
import { ApiError, defaultFetch, getJson, type FetchLike } from "./http";
import { tokensBySymbol, type TokenInfo } from "./token-list";
import { parseDay } from "../lib/csv";

/**
 * CoinGecko `GET /api/v3/coins/markets` (vs_currency=usd, ordered by market cap): current market
 * data, one object per coin. Only the fields this project reads are typed.
 */
export interface CoinGeckoMarket {
  readonly id: string;
  /** lower case, e.g. "btc"; not unique across coins */
  readonly symbol: string;
  readonly name: string;
  /** USD per whole token; null when unknown */
  readonly current_price: number | null;
  /** USD; null (or 0) when unknown */
  readonly market_cap: number | null;
  readonly market_cap_rank: number | null;
  readonly circulating_supply: number | null;
  readonly last_updated: string | null;
}

export interface CoinGeckoOptions {
  /** fetch-compatible function (default: global fetch) */
  readonly fetch?: FetchLike;
  /** default "https://api.coingecko.com/api/v3" (the public/demo API) */
  readonly baseUrl?: string;
  /** a demo API key, sent as header `x-cg-demo-api-key` */
  readonly apiKey?: string;
  /** header for the key (default `x-cg-demo-api-key`; `x-cg-pro-api-key` with the pro base URL) */
  readonly apiKeyHeader?: string;
  /** results per page, 1..250 (default 250) */
  readonly perPage?: number;
  /** pages to fetch at most (default 1) */
  readonly maxPages?: number;
}

const DEFAULT_BASE = "https://api.coingecko.com/api/v3";

function errorMessage(body: unknown): string | undefined {
  // documented error bodies: {"status":{"error_code":429,"error_message":"..."}} or {"error":"..."}
  const b = body as { status?: { error_message?: unknown }; error?: unknown };
  if (typeof b?.status?.error_message === "string") return b.status.error_message;
  if (typeof b?.error === "string") return b.error;
  return undefined;
}

function checkMarket(x: unknown, where: string): CoinGeckoMarket {
  const m = x as Record<string, unknown>;
  const fail = (field: string): never => {
    throw new ApiError(`CoinGecko: ${where}.${field} has an unexpected value ${JSON.stringify(m?.[field])} (not the documented shape)`);
  };
  if (typeof m !== "object" || m === null) throw new ApiError(`CoinGecko: ${where} is not an object`);
  for (const f of ["id", "symbol", "name"]) if (typeof m[f] !== "string") fail(f);
  for (const f of ["current_price", "market_cap", "market_cap_rank", "circulating_supply"]) {
    if (m[f] !== null && m[f] !== undefined && (typeof m[f] !== "number" || !Number.isFinite(m[f]))) fail(f);
  }
  return {
    id: m.id as string,
    symbol: m.symbol as string,
    name: m.name as string,
    current_price: (m.current_price as number | null | undefined) ?? null,
    market_cap: (m.market_cap as number | null | undefined) ?? null,
    market_cap_rank: (m.market_cap_rank as number | null | undefined) ?? null,
    circulating_supply: (m.circulating_supply as number | null | undefined) ?? null,
    last_updated: typeof m.last_updated === "string" ? m.last_updated : null,
  };
}

/**
 * Fetches `/coins/markets?vs_currency=usd&order=market_cap_desc` page by page (page=1, 2, ...)
 * until a page has fewer than `perPage` results or `maxPages` pages were read.
 * @param category a CoinGecko category id (e.g. "meme-token", "decentralized-finance-defi", "stablecoins"), or all coins
 * @returns the markets in the API's order
 * @throws ApiError on HTTP errors (429 named as a rate limit) or a body that is not the documented array
 */
export async function fetchCoinGeckoMarkets(options: CoinGeckoOptions & { category?: string } = {}): Promise<CoinGeckoMarket[]> {
  const fetchFn = options.fetch ?? defaultFetch();
  const base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/$/, "");
  const perPage = options.perPage ?? 250;
  const maxPages = options.maxPages ?? 1;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 250) throw new ApiError(`CoinGecko: perPage ${perPage} must be 1..250`);
  const headers: Record<string, string> = options.apiKey ? { [options.apiKeyHeader ?? "x-cg-demo-api-key"]: options.apiKey } : {};
  const out: CoinGeckoMarket[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const q = new URLSearchParams({ vs_currency: "usd", order: "market_cap_desc", per_page: String(perPage), page: String(page) });
    if (options.category) q.set("category", options.category);
    const body = await getJson(fetchFn, "CoinGecko", `${base}/coins/markets?${q}`, headers, errorMessage);
    if (!Array.isArray(body)) throw new ApiError(`CoinGecko: /coins/markets page ${page} is not a JSON array`);
    body.forEach((x, i) => out.push(checkMarket(x, `page ${page} [${i}]`)));
    if (body.length < perPage) break;
  }
  return out;
}

/**
 * CoinGecko category ids this project maps to its own tags and flags. `stablecoin` and `wrapped` set
 * the flags that exclude an asset from every product (methodology section 1): CoinGecko's own DeFi
 * and meme categories contain DAI, USDe, stETH and WBTC, so the category alone is not enough.
 * Override them with `fetchCoinGeckoUniverse({ categories })` when CoinGecko adds or renames one.
 */
export const COINGECKO_CATEGORIES: CoinGeckoCategories = {
  meme: "meme-token",
  defi: "decentralized-finance-defi",
  stablecoin: ["stablecoins"],
  wrapped: ["wrapped-tokens", "bridged-tokens", "liquid-staking-tokens", "liquid-restaking-tokens"],
};

/** Which CoinGecko categories tag an asset meme or defi, and which set its stablecoin and wrapped flags. */
export interface CoinGeckoCategories {
  readonly meme: string;
  readonly defi: string;
  /** Categories whose coins are stablecoins. */
  readonly stablecoin: readonly string[];
  /** Categories whose coins are wrapped, bridged or (liquid-)staked derivatives. */
  readonly wrapped: readonly string[];
}

/**
 * Builds universe assets from CoinGecko markets.
 *
 * - symbol: upper-cased; when several coins share a symbol, the first (largest market cap, as the
 *   API orders them) is kept and the rest are ignored.
 * - marketCapUsd: `market_cap` (0 or null -> missing, not eligible); priceUsd: `current_price`.
 * - categories and flags: the token list's entry when the symbol is in it, merged with the
 *   category-membership sets (CoinGecko ids of coins in meme/defi/stablecoin/wrapped categories).
 * @param markets the all-coins markets, in market-cap order
 * @param membership coin ids per project tag, e.g. `{ meme: Set(["dogecoin"]), stablecoin: Set(["tether"]) }`
 */
export function coinGeckoToAssets(
  markets: readonly CoinGeckoMarket[],
  membership: Readonly<Partial<Record<"meme" | "defi" | "stablecoin" | "wrapped", ReadonlySet<string>>>> = {},
  tokens?: readonly TokenInfo[],
): Asset[] {
  const bySymbol = tokensBySymbol(tokens);
  const seen = new Set<string>();
  const assets: Asset[] = [];
  for (const m of markets) {
    const symbol = m.symbol.toUpperCase();
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    const token = bySymbol.get(symbol);
    const categories = new Set(token?.categories ?? []);
    if (membership.meme?.has(m.id)) categories.add("meme");
    if (membership.defi?.has(m.id)) categories.add("defi");
    const stablecoin = (token?.stablecoin ?? false) || (membership.stablecoin?.has(m.id) ?? false);
    const wrapped = (token?.wrapped ?? false) || (membership.wrapped?.has(m.id) ?? false);
    if (stablecoin) categories.add("stablecoin");
    if (wrapped) categories.add("wrapped");
    assets.push({
      symbol,
      marketCapUsd: m.market_cap === null || m.market_cap === 0 ? undefined : m.market_cap,
      categories: [...categories],
      stablecoin,
      wrapped,
      ...(m.current_price !== null && m.current_price > 0 ? { priceUsd: m.current_price } : {}),
    });
  }
  return assets;
}

/**
 * Fetches a current universe: `pages` pages of all coins plus one page of each mapped category
 * (meme, defi, stablecoins, wrapped/bridged/liquid-staking/liquid-restaking) to tag and flag them;
 * 1 + 7 requests with the default categories. CoinGecko's public API is rate limited (about 5-30 calls a minute without a key).
 * @param date the snapshot's date `YYYY-MM-DD` (CoinGecko's data is "now"; default today UTC)
 */
export async function fetchCoinGeckoUniverse(
  options: CoinGeckoOptions & { date?: string; tokens?: readonly TokenInfo[]; categories?: Partial<CoinGeckoCategories> } = {},
): Promise<Universe> {
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  parseDay(date, "date");
  const cats: CoinGeckoCategories = { ...COINGECKO_CATEGORIES, ...options.categories };
  const all = await fetchCoinGeckoMarkets(options);
  const ids = async (category: string) => new Set((await fetchCoinGeckoMarkets({ ...options, category })).map((m) => m.id));
  const union = async (categories: readonly string[]) => {
    const out = new Set<string>();
    for (const c of categories) for (const id of await ids(c)) out.add(id);
    return out;
  };
  const wrapped = await union(cats.wrapped);
  const membership = {
    meme: await ids(cats.meme),
    defi: await ids(cats.defi),
    stablecoin: await union(cats.stablecoin),
    wrapped,
  };
  return { date, assets: coinGeckoToAssets(all, membership, options.tokens) };
}

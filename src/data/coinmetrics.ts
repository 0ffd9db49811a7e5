import { ApiError, defaultFetch, getJson, type FetchLike } from "./http";
import type { MarketCapRow } from "./marketcap-csv";
import { parseDay } from "../lib/csv";

/**
 * Coin Metrics API v4 `GET /timeseries/asset-metrics` (community endpoint by default): daily
 * metrics per asset. Response: `{"data":[{"asset":"btc","time":"2021-01-01T00:00:00.000000000Z",
 * "CapMrktCurUSD":"...","PriceUSD":"...",...}],"next_page_token":"...","next_page_url":"..."}` with
 * metric values as decimal strings (a metric can be absent or null on a day).
 */

/** The metrics this project reads: market cap, price, current supply, MVRV. */
export const COINMETRICS_METRICS = ["CapMrktCurUSD", "PriceUSD", "SplyCur", "CapMVRVCur"] as const;

/** One asset-day with the metrics present on it (numbers; undefined when absent or null). */
export interface CoinMetricsDay {
  readonly asset: string;
  /** `YYYY-MM-DD` (UTC) */
  readonly date: string;
  readonly metrics: Readonly<Record<string, number | undefined>>;
}

export interface CoinMetricsOptions {
  readonly fetch?: FetchLike;
  /** default "https://community-api.coinmetrics.io/v4" (no key); pro: "https://api.coinmetrics.io/v4" */
  readonly baseUrl?: string;
  /** pro API key, sent as the `api_key` query parameter (the community API needs none) */
  readonly apiKey?: string;
  /** Coin Metrics asset ids, lower case, e.g. ["btc", "eth"] */
  readonly assets: readonly string[];
  readonly metrics?: readonly string[];
  /** inclusive `YYYY-MM-DD` */
  readonly start?: string;
  readonly end?: string;
  /** rows per page (default 10000, the API's maximum) */
  readonly pageSize?: number;
  /** stop after this many pages (default 1000) */
  readonly maxPages?: number;
}

const DEFAULT_BASE = "https://community-api.coinmetrics.io/v4";

function errorMessage(body: unknown): string | undefined {
  // documented error body: {"error":{"type":"bad_parameter","message":"..."}}
  const e = (body as { error?: { type?: unknown; message?: unknown } })?.error;
  if (e && typeof e.message === "string") return typeof e.type === "string" ? `${e.type}: ${e.message}` : e.message;
  return undefined;
}

/**
 * Fetches daily asset metrics, following `next_page_token` until the API sends none.
 * @returns one entry per asset and day, in the API's order (by asset, then time ascending)
 * @throws ApiError on HTTP errors (429 named as a rate limit: 10 requests per 6 s per IP on the
 *   community API), or a body or value that is not the documented shape
 */
export async function fetchCoinMetricsAssetMetrics(options: CoinMetricsOptions): Promise<CoinMetricsDay[]> {
  const fetchFn = options.fetch ?? defaultFetch();
  const base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/$/, "");
  const metrics = options.metrics ?? COINMETRICS_METRICS;
  if (options.assets.length === 0) throw new ApiError("Coin Metrics: no assets requested");
  if (options.start) parseDay(options.start, "start");
  if (options.end) parseDay(options.end, "end");
  const q = new URLSearchParams({
    assets: options.assets.join(","),
    metrics: metrics.join(","),
    frequency: "1d",
    page_size: String(options.pageSize ?? 10000),
  });
  if (options.start) q.set("start_time", options.start);
  if (options.end) q.set("end_time", options.end);
  if (options.apiKey) q.set("api_key", options.apiKey);
  const out: CoinMetricsDay[] = [];
  let token: string | undefined;
  const maxPages = options.maxPages ?? 1000;
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new ApiError(`Coin Metrics: more than ${maxPages} pages; narrow the date range`);
    const pq = new URLSearchParams(q);
    if (token !== undefined) pq.set("next_page_token", token);
    const body = (await getJson(fetchFn, "Coin Metrics", `${base}/timeseries/asset-metrics?${pq}`, {}, errorMessage)) as {
      data?: unknown;
      next_page_token?: unknown;
    };
    if (!Array.isArray(body?.data)) throw new ApiError(`Coin Metrics: page ${page} has no "data" array`);
    body.data.forEach((row: Record<string, unknown>, i: number) => {
      const where = `Coin Metrics: page ${page} data[${i}]`;
      if (typeof row?.asset !== "string") throw new ApiError(`${where}.asset is not a string`);
      const time = typeof row.time === "string" ? row.time : "";
      if (!/^\d{4}-\d{2}-\d{2}T/.test(time)) throw new ApiError(`${where}.time "${time}" is not an ISO timestamp`);
      const values: Record<string, number | undefined> = {};
      for (const m of metrics) {
        const raw = row[m];
        if (raw === undefined || raw === null) continue;
        const v = typeof raw === "string" || typeof raw === "number" ? Number(raw) : NaN;
        if (!Number.isFinite(v)) throw new ApiError(`${where}.${m} is ${JSON.stringify(raw)}, not a number`);
        values[m] = v;
      }
      out.push({ asset: row.asset, date: time.slice(0, 10), metrics: values });
    });
    if (typeof body.next_page_token !== "string" || body.next_page_token === "") break;
    token = body.next_page_token;
  }
  return out;
}

/**
 * Days as rows of the market-cap CSV format for one asset: market_cap_usd = CapMrktCurUSD,
 * price_usd = PriceUSD, circulating_supply = SplyCur. As in `../shared/data`, only days where all
 * three are present and > 0 are kept. Sorted by date; a repeated date is an error.
 */
export function coinMetricsToMarketCapRows(days: readonly CoinMetricsDay[], asset: string): MarketCapRow[] {
  const rows: MarketCapRow[] = [];
  for (const d of days) {
    if (d.asset !== asset) continue;
    const cap = d.metrics.CapMrktCurUSD;
    const price = d.metrics.PriceUSD;
    const supply = d.metrics.SplyCur;
    if (!(cap! > 0 && price! > 0 && supply! > 0)) continue;
    rows.push({ date: d.date, day: parseDay(d.date, `Coin Metrics ${asset} time`), priceUsd: price!, marketCapUsd: cap!, circulatingSupply: supply! });
  }
  rows.sort((a, b) => a.day - b.day);
  rows.forEach((r, i) => {
    if (i > 0 && r.day === rows[i - 1]!.day) throw new ApiError(`Coin Metrics: ${asset} has two rows for ${r.date}`);
  });
  return rows;
}

/**
 * The data sources of the product modules: month-end universes for MAG7/MEME/DEFI (universe files, the
 * per-asset CSV layout of `../shared/data/marketcap`, or CoinGecko) and the SANX MVRV and market-cap
 * series. Each answer is cached by date: data for a past day does not change.
 */
import { loadUniverseFile } from "../../src/data/universe";
import { readMarketCapDir, universeFromSeries, type MarketCapRow } from "../../src/data/marketcap-csv";
import { fetchCoinGeckoUniverse } from "../../src/data/coingecko";
import type { Universe } from "../../src/methodology";
import type { UniverseSource } from "./config";
import { useNamedEnv } from "../../src/env";

export interface UniverseProvider {
  /** The universe as of `date` (YYYY-MM-DD, a determination date); throws naming what is missing. */
  universe(date: string): Promise<Universe>;
  /** For logs. */
  readonly describe: string;
}

export function universeProvider(source: UniverseSource): UniverseProvider {
  const cache = new Map<string, Promise<Universe>>();
  const cached = (date: string, load: () => Promise<Universe>) => {
    let hit = cache.get(date);
    if (hit === undefined) {
      hit = load();
      hit.catch(() => cache.delete(date)); // retry a failed load next time
      cache.set(date, hit);
    }
    return hit;
  };
  switch (source.kind) {
    case "universe-files": {
      let files: Universe[] | undefined;
      const all = () => (files ??= source.files.map((f) => loadUniverseFile(f)).sort((a, b) => (a.date < b.date ? -1 : 1)));
      return {
        describe: `universe files ${source.files.join(", ")}${source.latestOnOrBefore ? " (latest on or before the determination date)" : ""}`,
        universe: (date) =>
          cached(date, async () => {
            const exact = all().find((u) => u.date === date);
            if (exact !== undefined) return exact;
            const before = all().filter((u) => u.date <= date);
            if (source.latestOnOrBefore && before.length > 0) return before[before.length - 1]!;
            throw new Error(`no universe file dated ${date} (the determination date) among ${source.files.join(", ")}${before.length > 0 ? "" : ": every file is dated after it"}`);
          }),
      };
    }
    case "marketcap-csv": {
      let series: Map<string, MarketCapRow[]> | undefined;
      return {
        describe: `market-cap CSVs in ${source.dir}`,
        universe: (date) =>
          cached(date, async () => {
            series ??= readMarketCapDir(source.dir);
            const u = universeFromSeries(series, date);
            if (u.assets.length === 0) throw new Error(`${source.dir}: no asset has a row dated ${date} (the determination date)`);
            return u;
          }),
      };
    }
    case "coingecko":
      return {
        describe: "CoinGecko current markets",
        universe: (date) =>
          cached(date, () =>
            fetchCoinGeckoUniverse({
              date,
              maxPages: source.pages,
              ...(source.baseUrl !== undefined ? { baseUrl: source.baseUrl } : {}),
              ...(source.apiKeyEnv !== undefined && useNamedEnv(source.apiKeyEnv) !== undefined ? { apiKey: useNamedEnv(source.apiKeyEnv)! } : {}),
            }),
          ),
      };
  }
}

import { expect } from "chai";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  formatMarketCapCsv,
  parseMarketCapCsv,
  readMarketCapCsv,
  readMarketCapDir,
  universeFromCsvDir,
  universeFromSeries,
} from "../../../src/data/marketcap-csv";
import { loadTokenList } from "../../../src/data/token-list";
import { computeIndex, DEFI, MAG7, rankAssets } from "../../../src/methodology";
import { InputError, MethodologyError } from "../../../src/lib/errors";

import { useEnv } from "../../../src/env";
import { FIXTURES } from "./fake-fetch";

const HEADER = "date,price_usd,market_cap_usd,circulating_supply";

describe("#parseMarketCapCsv", () => {
  it("parses rows with their dates and numbers", () => {
    const rows = parseMarketCapCsv(`${HEADER}\n2020-01-01,2.5,250,100\n2020-01-02,3,300,100\n`, "x.csv");
    expect(rows).to.deep.equal([
      { date: "2020-01-01", day: 18262, priceUsd: 2.5, marketCapUsd: 250, circulatingSupply: 100 },
      { date: "2020-01-02", day: 18263, priceUsd: 3, marketCapUsd: 300, circulatingSupply: 100 },
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ["a non-number cell", `${HEADER}\n2020-01-01,2.5,250,100\n2020-01-02,3,abc,100`, /x\.csv:3: column "market_cap_usd" is "abc", not a finite number/],
    ["an empty cell", `${HEADER}\n2020-01-01,,250,100`, /x\.csv:2: column "price_usd" is "", not a finite number/],
    ["a zero supply", `${HEADER}\n2020-01-01,1,250,0`, /x\.csv:2: column "circulating_supply" is "0", must be > 0/],
    ["a bad date", `${HEADER}\n2020-13-01,1,250,1`, /x\.csv:2: column "date": "2020-13-01" is not a date/],
    ["a repeated date", `${HEADER}\n2020-01-01,1,2,1\n2020-01-01,1,2,1`, /x\.csv:3: column "date" is 2020-01-01, not after the previous row's 2020-01-01/],
    ["a missing column", `date,price_usd,market_cap_usd\n2020-01-01,1,2`, /x\.csv: missing column\(s\) circulating_supply/],
    ["a short row", `${HEADER}\n2020-01-01,1,2`, /x\.csv: not valid CSV/],
  ];
  for (const [what, text, msg] of bad) {
    it(`throws an InputError naming file:line and column for ${what}`, () => {
      expect(() => parseMarketCapCsv(text, "x.csv")).to.throw(InputError, msg);
    });
  }

  it("round-trips through formatMarketCapCsv", () => {
    const rows = parseMarketCapCsv(`${HEADER}\n2020-01-01,2.5,250.125,100.5\n`, "x.csv");
    expect(parseMarketCapCsv(formatMarketCapCsv(rows), "y.csv")).to.deep.equal(rows);
  });

  it("names the real file path when reading from disk", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mcap-"));
    const file = path.join(dir, "abc.csv");
    writeFileSync(file, `${HEADER}\n2020-01-01,1,1,1\n2020-01-02,1,x,1\n`);
    expect(() => readMarketCapCsv(file)).to.throw(InputError, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3: column "market_cap_usd"`));
  });
});

describe("#universeFromCsvDir", () => {
  it("builds the snapshot of one day with the token list's flags; assets without a row that day are left out", () => {
    const u = universeFromCsvDir(path.join(FIXTURES, "marketcap"), "2026-09-30");
    expect(u.date).to.equal("2026-09-30");
    expect(u.assets.map((a) => [a.symbol, a.marketCapUsd, a.priceUsd, a.stablecoin])).to.deep.equal([
      ["BTC", 2187000000000.5, 110250, false],
      ["ETH", 521000000000, 4315, false],
      ["USDT", 165100000000, 1, true],
    ]); // DOGE has no row on 2026-09-30
    expect(u.assets[0]!.categories).to.deep.equal(["layer1"]);
  });

  it("throws for a symbol missing from the token list", () => {
    const series = new Map([["ZZZ", parseMarketCapCsv(`${HEADER}\n2020-01-01,1,1,1`, "zzz.csv")]]);
    expect(() => universeFromSeries(series, "2020-01-01")).to.throw(InputError, /ZZZ: not in the token list/);
  });

  it("throws for a missing directory", () => {
    expect(() => readMarketCapDir("/no/such/dir")).to.throw(InputError, /market-cap directory not found/);
  });
});

describe("#loadTokenList", () => {
  it("reads the project's list; stablecoin and wrapped flags default to false", () => {
    const t = new Map(loadTokenList().map((x) => [x.symbol, x]));
    expect(t.get("USDT")!.stablecoin).to.equal(true);
    expect(t.get("WBTC")!.wrapped).to.equal(true);
    expect(t.get("BTC")!.stablecoin || t.get("BTC")!.wrapped).to.equal(false);
  });
  it("throws on a repeated symbol or a bad flag, naming the entry", () => {
    expect(() => loadTokenList({ tokens: [{ symbol: "A", categories: [] }, { symbol: "a", categories: [] }] })).to.throw(InputError, /tokens\[1\]\.symbol "a" is listed twice/);
    expect(() => loadTokenList({ tokens: [{ symbol: "A", categories: [], wrapped: "yes" }] })).to.throw(InputError, /tokens\[0\]\.wrapped/);
  });
});

describe("real data (../shared/data/marketcap, Coin Metrics community CSVs)", function () {
  const dir = path.join(useEnv("SSI_DATA_DIR") ?? path.resolve(__dirname, "../../../../shared/data"), "marketcap");
  let series: ReturnType<typeof readMarketCapDir>;
  before(function () {
    if (!existsSync(dir)) {
      console.log(`    (skipped: ${dir} is absent; set SSI_DATA_DIR to the shared data folder)`);
      this.skip();
    }
    series = readMarketCapDir(dir);
  });

  it("reads every file without error and builds the 2020-06-30 month-end", () => {
    const u = universeFromSeries(series, "2020-06-30");
    expect(u.assets.length).to.be.at.least(7);
    // independent check of the ranking: sort the day's caps by hand
    const want = u.assets
      .filter((a) => !a.stablecoin && !a.wrapped)
      .map((a) => [a.symbol, Math.round(a.marketCapUsd!)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 7)
      .map((x) => x[0]);
    const got = computeIndex(MAG7, u).constituents.map((c) => c.symbol);
    expect(got).to.deep.equal(want);
    expect(got.slice(0, 2)).to.deep.equal(["BTC", "ETH"]);
    expect(rankAssets(u.assets, MAG7.eligibility).length).to.equal(u.assets.length);
  });

  it("has too few defi assets on 2020-06-30 for DEFI (N = 10): an error, never a smaller index", () => {
    const u = universeFromSeries(series, "2020-06-30");
    expect(() => computeIndex(DEFI, u)).to.throw(
      MethodologyError,
      /DEFI: only \d eligible/,
    );
  });
});

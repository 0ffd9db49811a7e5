import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { useEnv } from "../../../src/env";
import { InputError } from "../../../src/lib/errors";
import {
  type BacktestOptions,
  type NavPoint,
  WAD,
  annualisedVolatility,
  backtestByYear,
  backtestJson,
  loadFundingDir,
  maxDrawdown,
  parseFundingCsv,
  runBacktest,
  USSI_SAMPLE_SYMBOLS,
  SAMPLE_WEIGHTS,
} from "../../../src/ussi";

const T = (iso: string): number => Date.parse(iso) / 1000;
const e18 = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
const csv = (rows: Array<[string, string]>): string => ["time,funding_rate", ...rows.map((r) => r.join(","))].join("\n");
const HALF = WAD / 2n;

// Two assets, 50/50, four settlements on 2024-01-01/02, no buffer, $1,000 initial NAV, price 1.
//   time      A rate   B rate   funding A (500 short)  funding B (500 short)  NAV after
//   01 00:00  0.001    0        +0.5                   0                      1000.5
//   01 08:00  0.002    0.001    +1.0                   +0.5                   1002.0
//   01 16:00  -0.001   0.001    -0.5                   +0.5                   1002.0
//   02 00:00  0        0.002    0                      +1.0                   1003.0
// Funding is always on the 500-coin perps (the sweeps buy spot, the perps stay put unless drift).
const A = parseFundingCsv(
  csv([
    ["2024-01-01T00:00:00Z", "0.001"],
    ["2024-01-01T08:00:00Z", "0.002"],
    ["2024-01-01T16:00:00Z", "-0.001"],
    ["2024-01-02T00:00:00Z", "0"],
  ]),
  "A",
  "a.csv"
);
const B = parseFundingCsv(
  csv([
    ["2024-01-01T00:00:00Z", "0"],
    ["2024-01-01T08:00:00Z", "0.001"],
    ["2024-01-01T16:00:00Z", "0.001"],
    ["2024-01-02T00:00:00Z", "0.002"],
  ]),
  "B",
  "b.csv"
);
const tiny: BacktestOptions = {
  funding: { A, B },
  weights: { A: HALF, B: HALF },
  bufferWad: 0n,
  driftToleranceWad: HALF, // never
  initialNav: e18(1000),
};

describe("ussi/backtest", () => {
  describe("#runBacktest on a hand-computed series", () => {
    it("returns the NAV series, funding and period of the hand table", () => {
      const r = runBacktest(tiny);
      expect(r.series.map((p) => [p.time, p.nav])).to.deep.equal([
        [T("2024-01-01T00:00:00Z"), e18(1000)],
        [T("2024-01-01T00:00:00Z"), e18(1000.5)],
        [T("2024-01-01T08:00:00Z"), e18(1002)],
        [T("2024-01-01T16:00:00Z"), e18(1002)],
        [T("2024-01-02T00:00:00Z"), e18(1003)],
        [T("2024-01-02T08:00:00Z"), e18(1003)], // end = one interval after the last settlement
      ]);
      expect(r.fundingBySymbol).to.deep.equal({ A: e18(1), B: e18(2) });
      expect(r.totalFunding).to.equal(e18(3));
      expect(r.years).to.equal((32 * 3600) / (365 * 86400));
      expect(r.annualisedYield).to.be.closeTo(Math.log(1.003) / r.years, 1e-12);
      expect(r.driftRebalances).to.equal(0);
      expect(r.reconstitutions).to.equal(1);
      expect(r.perpTrades).to.equal(2); // the initial hedge of A and B
      expect(r.maxDrawdown).to.equal(0);
    });

    it("reduces NAV by exactly the fee, with the fee matching NAV * rate * time", () => {
      const r = runBacktest({ ...tiny, feeBpsPerYear: 100 });
      // funding does not depend on the fee (it is paid on the perps), so NAV = 1003 - fees exactly
      expect(r.totalFunding).to.equal(e18(3));
      expect(r.finalNav).to.equal(e18(1003) - r.totalFees);
      // each 8h accrual on the NAV before that settlement's funding (float reference)
      const k = (0.01 * (8 * 3600)) / (365 * 86400);
      let nav = 1000.5;
      let fees = 0;
      for (const funding of [1.5, 0, 1.0, 0]) {
        const fee = nav * k;
        fees += fee;
        nav += funding - fee;
      }
      expect(Number(r.totalFees) / 1e18).to.be.closeTo(fees, 1e-9);
    });

    it("reduces NAV by exactly the perp cost of the initial hedge (1,000 notional * 10 bps = 1)", () => {
      const r = runBacktest({ ...tiny, perpCostBps: 10 });
      expect(r.totalPerpCosts).to.equal(e18(1));
      expect(r.finalNav).to.equal(e18(1002));
      expect(r.perpTradedNotional).to.equal(e18(1000));
    });

    it("rebalances the hedge when the swept funding pushes delta above the tolerance", () => {
      // tolerance 0.1%: after 01 08:00 delta is 1.0 per asset vs 0.1% * 1002 = 1.002 (no);
      // after 02 00:00 the sweep adds 0.5 each: 1.5 > 1.003 -> one rebalance, 2 perp trades of 1.5
      const r = runBacktest({ ...tiny, driftToleranceWad: 10n ** 15n });
      expect(r.driftRebalances).to.equal(1);
      expect(r.perpTrades).to.equal(4);
      expect(r.perpTradedNotional).to.equal(e18(1003)); // 500 + 500 initial, 1.5 + 1.5 on drift
      expect(r.finalNav).to.equal(e18(1003));
      expect(r.finalReport.netDeltaBps).to.equal(0n);
    });

    it("keeps the liquid buffer in cash and earns funding only on the hedged 95%", () => {
      const r = runBacktest({ ...tiny, bufferWad: 5n * 10n ** 16n });
      // perps of 475 each: A 475 * 0.002 = 0.95, B 475 * 0.004 = 1.9
      expect(r.totalFunding).to.equal(e18(2.85));
      expect(r.finalNav).to.equal(e18(1002.85));
    });

    it("excludes a symbol until the first reconstitution after its series starts, renormalising the others", () => {
      const a = parseFundingCsv(
        csv([
          ["2024-01-31T08:00:00Z", "0.001"],
          ["2024-01-31T16:00:00Z", "0.001"],
          ["2024-02-01T00:00:00Z", "0.001"],
          ["2024-02-01T08:00:00Z", "0.001"],
        ]),
        "A",
        "a.csv"
      );
      const b = parseFundingCsv(
        csv([
          ["2024-01-31T16:00:00Z", "0.001"],
          ["2024-02-01T00:00:00Z", "0.001"],
          ["2024-02-01T08:00:00Z", "0.001"],
        ]),
        "B",
        "b.csv"
      );
      const r = runBacktest({ ...tiny, funding: { A: a, B: b } });
      // Jan: A holds 100% (1000 short): +1, +1, +1 (Feb 1 00:00 earned before the reconstitution)
      // Feb 1 00:00 reconstitution at NAV 1003: 501.5 each; Feb 1 08:00: +0.5015 each
      expect(r.fundingBySymbol).to.deep.equal({ A: e18(3.5015), B: e18(0.5015) });
      expect(r.reconstitutions).to.equal(2);
      expect(r.finalNav).to.equal(e18(1004.003));
    });

    it("earns every settlement of an irregular (4h/2h) window: funding = size * sum of rates", () => {
      const sol = parseFundingCsv(
        csv([
          ["2022-11-09T16:00:00Z", "0.0001"],
          ["2022-11-09T20:00:00Z", "-0.02"],
          ["2022-11-10T00:00:00Z", "-0.02"],
          ["2022-11-10T02:00:00Z", "-0.005"],
          ["2022-11-10T04:00:00Z", "-0.005"],
          ["2022-11-10T08:00:00Z", "0.0001"],
        ]),
        "SOL",
        "sol.csv"
      );
      const r = runBacktest({ ...tiny, funding: { SOL: sol }, weights: { SOL: WAD } });
      expect(r.totalFunding).to.equal(e18(1000 * -0.0498));
      expect(r.end - r.start).to.equal(20 * 3600); // last step 4h
    });

    it("throws on a missing series, an empty window and a negative tolerance", () => {
      expect(() => runBacktest({ ...tiny, weights: { C: WAD } })).to.throw(InputError, /no funding series for C/);
      expect(() => runBacktest({ ...tiny, from: T("2025-01-01T00:00:00Z") })).to.throw(InputError, /no settlement/);
      expect(() => runBacktest({ ...tiny, driftToleranceWad: -1n })).to.throw(InputError);
    });

    it("serialises to JSON with bigints as strings", () => {
      const j = JSON.parse(JSON.stringify(backtestJson(runBacktest(tiny))));
      expect(j.finalNavUsd).to.equal(1003);
      expect(j.finalReport.nav).to.equal(e18(1003).toString());
      expect(j.navSeries.at(-1)).to.deep.equal({ time: "2024-01-02T08:00:00Z", navUsd: 1003 });
    });
  });

  describe("#backtestByYear", () => {
    it("runs one fresh book per calendar year over the covered window", () => {
      const rows: Array<[string, string]> = [
        ["2023-12-31T08:00:00Z", "0.001"],
        ["2023-12-31T16:00:00Z", "0.001"],
        ["2024-01-01T00:00:00Z", "0.002"],
        ["2024-01-01T08:00:00Z", "0.002"],
      ];
      const s = parseFundingCsv(csv(rows), "A", "a.csv");
      const years = backtestByYear({ ...tiny, funding: { A: s }, weights: { A: WAD } });
      expect(years.map((y) => [y.year, y.result.start, y.result.end])).to.deep.equal([
        [2023, T("2023-12-31T08:00:00Z"), T("2024-01-01T00:00:00Z")],
        [2024, T("2024-01-01T00:00:00Z"), T("2024-01-01T16:00:00Z")],
      ]);
      // each year starts from $1,000: 2023 earns 1000 * 0.002, 2024 earns 1000 * 0.004
      expect(years.map((y) => y.result.totalFunding)).to.deep.equal([e18(2), e18(4)]);
    });
  });

  describe("#maxDrawdown / #annualisedVolatility", () => {
    const pts = (navs: number[]): NavPoint[] => navs.map((n, i) => ({ time: i * 86_400, nav: e18(n) }));
    it("returns the largest fall from a running peak", () =>
      expect(maxDrawdown(pts([100, 110, 99, 105, 88, 120]))).to.be.closeTo(0.2, 1e-12));
    it("returns 0 for a rising series", () => expect(maxDrawdown(pts([1, 2, 3]))).to.equal(0));
    it("returns the sample stdev of daily log returns * sqrt(365)", () => {
      const navs = [100, 101, 100, 102];
      const r = [Math.log(1.01), Math.log(100 / 101), Math.log(1.02)];
      const m = r.reduce((a, b) => a + b) / 3;
      const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / 2);
      expect(annualisedVolatility(pts(navs))).to.be.closeTo(sd * Math.sqrt(365), 1e-12);
    });
  });

  describe("over ../shared/data/funding (real Binance history)", function () {
    this.timeout(60_000);
    const dir = join(useEnv("SSI_DATA_DIR") ?? resolve(__dirname, "../../../../shared/data"), "funding");
    let all: ReturnType<typeof loadFundingDir> = {};
    before(function () {
      if (!existsSync(join(dir, "binance_BTCUSDT.csv"))) {
        console.log(`      (skipped: ${dir} not found; set SSI_DATA_DIR to the shared data folder)`);
        this.skip();
      }
      all = loadFundingDir(dir, [...USSI_SAMPLE_SYMBOLS]);
    });
    const btcYear = (year: number, drift: bigint) => {
      const funding = { BTC: all["BTC"]! };
      return runBacktest({
        funding,
        weights: { BTC: WAD },
        from: T(`${year}-01-01T00:00:00Z`),
        to: T(`${year + 1}-01-01T00:00:00Z`),
        bufferWad: 0n,
        driftToleranceWad: drift,
      });
    };

    it("returns a BTC-only 2021 yield close to the data README's 30.6%/yr", () => {
      const r = btcYear(2021, 2n * 10n ** 16n);
      expect(r.years).to.equal(1);
      expect(r.annualisedYield).to.be.closeTo(0.306, 0.006); // hedge lag on the swept funding costs a little
      expect(r.annualisedYield).to.be.below(0.306);
    });

    it("returns a BTC-only 2022 yield close to the README's 4.2%/yr", () => {
      expect(btcYear(2022, 2n * 10n ** 16n).annualisedYield).to.be.closeTo(0.042, 0.002);
    });

    it("compounds exactly as prod(1 + rate) when the hedge follows every settlement (tolerance 0)", () => {
      const r = btcYear(2021, 0n);
      // independent reference straight from the file text
      const rows = readFileSync(join(dir, "binance_BTCUSDT.csv"), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .filter((l) => l.startsWith("2021-"));
      expect(rows).to.have.length(1095);
      const growth = rows.reduce((g, l) => g * (1 + Number(l.split(",")[1])), 1);
      expect(Number(r.finalNav) / Number(r.initialNav)).to.be.closeTo(growth, 1e-9);
    });

    it("returns about the README's equal-weight 7-coin averages (2021 +35.0%/yr, 2022 -6.2%/yr)", () => {
      const funding = all;
      const eq = Object.fromEntries(USSI_SAMPLE_SYMBOLS.map((s) => [s, WAD / 7n + (s === "BTC" ? WAD % 7n : 0n)]));
      for (const [year, want] of [
        [2021, 0.35],
        [2022, -0.062],
      ] as const) {
        const r = runBacktest({
          funding,
          weights: eq,
          from: T(`${year}-01-01T00:00:00Z`),
          to: T(`${year + 1}-01-01T00:00:00Z`),
          bufferWad: 0n,
          driftToleranceWad: 0n,
        });
        expect(r.annualisedYield, String(year)).to.be.closeTo(want, 0.01);
      }
    });

    it("runs the SAMPLE MAG7 weights over the whole files, SOL's irregular window included", () => {
      const r = runBacktest({ funding: all, weights: SAMPLE_WEIGHTS, perpCostBps: 5, feeBpsPerYear: 50 });
      expect(r.start).to.equal(T("2020-01-01T00:00:00Z"));
      expect(r.end).to.equal(T("2026-07-01T00:00:00Z"));
      expect(r.reconstitutions).to.equal(78);
      expect(r.finalNav).to.equal(r.initialNav + r.totalFunding - r.totalFees - r.totalPerpCosts);
      expect(r.annualisedYield).to.be.within(0.05, 0.15); // README whole-file rates are -0.2%..15%/yr
    });
  });
});

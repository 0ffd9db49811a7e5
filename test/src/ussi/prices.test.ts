import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../../src/lib/errors";
import { WAD, dailyPriceFn, loadDailyPrices, parseFundingCsv, runBacktest } from "../../../src/ussi";

const T = (iso: string): number => Date.parse(iso) / 1000;
const e18 = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

describe("ussi/prices", () => {
  const dir = mkdtempSync(join(tmpdir(), "ussi-prices-"));
  writeFileSync(join(dir, "btc.csv"), "date,price_usd,market_cap_usd\n2020-03-11,7900.5,1\n2020-03-12,4959.31,1\n2020-03-13,5.5e3,1\n");
  writeFileSync(join(dir, "eth.csv"), "date,price_usd\n2020-03-12,110\n2020-03-12,111\n");

  describe("#dailyPriceFn", () => {
    const price = dailyPriceFn(loadDailyPrices(dir, ["BTC"]));
    it("returns the close at 00:00 of the time's day (the row dated the day before)", () => {
      expect(price("BTC", T("2020-03-13T00:00:00Z"))).to.equal(e18(4959.31));
      expect(price("BTC", T("2020-03-13T16:00:00Z"))).to.equal(e18(4959.31));
      expect(price("BTC", T("2020-03-14T00:00:00Z"))).to.equal(e18(5500));
    });
    it("throws naming the symbol and the covered range outside the data", () => {
      expect(() => price("BTC", T("2020-03-20T00:00:00Z"))).to.throw(
        InputError,
        /no price for BTC dated 2020-03-19 .*2020-03-11\.\.2020-03-13/
      );
    });
  });

  describe("#loadDailyPrices", () => {
    it("throws on a repeated date naming file:line", () => expect(() => loadDailyPrices(dir, ["ETH"])).to.throw(InputError, /eth\.csv:3/));
    it("throws naming a missing file", () => expect(() => loadDailyPrices(dir, ["SOL"])).to.throw(InputError, /sol\.csv/));
  });

  describe("#runBacktest with a price path", () => {
    const A = parseFundingCsv("time,funding_rate\n2024-01-01T00:00:00Z,0.001\n2024-01-01T08:00:00Z,0.001\n", "A", "a.csv");
    it("pays funding on size * mark and books the unhedged delta's price PnL (hand-worked)", () => {
      // 1000 coins long spot, 1000 short perp at $1. 00:00 @1: +1.0, sweep buys 1 coin (delta +1).
      // 08:00 @2: delta PnL +1, funding 1000 * 2 * 0.001 = +2 -> NAV 1004.
      const price = (_: string, t: number): bigint => (t < T("2024-01-01T08:00:00Z") ? WAD : 2n * WAD);
      const r = runBacktest({
        funding: { A },
        weights: { A: WAD },
        bufferWad: 0n,
        driftToleranceWad: WAD / 2n,
        initialNav: e18(1000),
        price,
      });
      expect(r.totalFunding).to.equal(e18(3));
      expect(r.finalNav).to.equal(e18(1004));
    });
    it("changes a fully re-hedged book's NAV by funding only, whatever the prices do", () => {
      const rows = Array.from(
        { length: 90 },
        (_, i) =>
          `${new Date((T("2024-01-01T00:00:00Z") + i * 8 * 3600) * 1000).toISOString().replace(".000Z", "Z")},${((i % 7) - 2) / 10_000}`
      );
      const series = parseFundingCsv(["time,funding_rate", ...rows].join("\n"), "A", "a.csv");
      const price = (s: string, t: number): bigint => e18(100 + 40 * Math.sin(t / 50_000) + (s === "B" ? 7 : 0));
      const r = runBacktest({
        funding: { A: series, B: series },
        weights: { A: WAD / 2n, B: WAD / 2n },
        driftToleranceWad: 0n,
        perpCostBps: 3,
        feeBpsPerYear: 20,
        price,
      });
      const diff = r.finalNav - (r.initialNav + r.totalFunding - r.totalFees - r.totalPerpCosts);
      // only the wei-level rounding of spot trades and marks remains (< 1e-9 USD)
      expect((diff < 0n ? -diff : diff) < 10n ** 9n, `diff ${diff}`).to.equal(true);
      expect(r.perpTrades).to.be.greaterThan(100);
    });
  });
});

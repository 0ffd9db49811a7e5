import { expect } from "chai";
import { existsSync } from "node:fs";
import path from "node:path";
import { navMetrics, runBacktest, type AssetData } from "../../../src/sanx/backtest";
import { defiSymbols, loadSanxData } from "../../../src/sanx/data";
import type { SanxSignal } from "../../../src/sanx/membership";
import { parseDay } from "../../../src/lib/csv";
import { computeSignals } from "../../../src/mvrv/engine";
import { MethodologyError } from "../../../src/lib/errors";
import { useEnv } from "../../../src/env";

const D0 = parseDay("2021-01-01", "test"); // day index 0 = from - 1
const day = (k: number) => D0 + k;

/** Market rows for days 0..n-1 from prices and a constant supply (cap = price x supply). */
function asset(symbol: string, prices: (number | null)[], supply: number): AssetData {
  const market = new Map<number, { price: number; marketCap: number }>();
  prices.forEach((p, k) => {
    if (p !== null) market.set(day(k), { price: p, marketCap: p * supply });
  });
  return { symbol, mvrv: [], market };
}

// Hand-worked dataset (see the comments in each test): days 0..6, window days 1..6, delay 1.
const A = asset("AAA", [1, 1, 2, 2, 4, 4, 2], 100); // caps 100, 100, 200, 200, 400, 400, 200
const B = asset("BBB", [10, 10, 10, 20, 20, 10, 10], 10); // caps 100, 100, 100, 200, 200, 100, 100
const SIGNALS: SanxSignal[] = [
  { day: day(1), asset: "AAA", zone: "OPPORTUNITY" }, // ADD AAA at the start of day 2, at day-1 prices
  { day: day(2), asset: "BBB", zone: "OPPORTUNITY" }, // ADD BBB at the start of day 3, at day-2 prices
  { day: day(4), asset: "AAA", zone: "DANGER" }, // REMOVE AAA at the start of day 5, at day-4 prices
];

describe("SANX backtest", function () {
  describe("#runBacktest on a hand-worked dataset", function () {
    const r = runBacktest([A, B], { signals: SIGNALS, delay: 1 });

    it("defaults the window to the days every asset is tradable", function () {
      expect([r.from, r.to]).to.deep.equal(["2021-01-02", "2021-01-07"]);
    });

    it("reports the actions timeline with execution and signal dates", function () {
      expect(r.actions).to.deep.equal([
        { date: "2021-01-03", asset: "AAA", action: "ADD", signalDate: "2021-01-02" },
        { date: "2021-01-04", asset: "BBB", action: "ADD", signalDate: "2021-01-03" },
        { date: "2021-01-06", asset: "AAA", action: "REMOVE", signalDate: "2021-01-05" },
      ]);
      expect(r.membership).to.deep.equal([
        { date: "2021-01-02", members: [] },
        { date: "2021-01-03", members: ["AAA"] },
        { date: "2021-01-04", members: ["AAA", "BBB"] },
        { date: "2021-01-06", members: ["BBB"] },
      ]);
    });

    it("computes the SANX NAV by hand: ADD re-weights to market caps, REMOVE buys the rest by market cap", function () {
      // day 1: all reserve -> 1.
      // start of day 2 (day-1 prices): buy AAA with 1 -> 1 unit; close day 2: 1 x 2 = 2.
      // start of day 3 (day-2 prices A 2, B 10; caps 200/100): NAV 2 -> A 4/3 (2/3 unit), B 2/3 (1/15 unit).
      // close day 3: 2/3 x 2 + 1/15 x 20 = 8/3; close day 4: 2/3 x 4 + 1/15 x 20 = 4.
      // start of day 5 (day-4 prices A 4, B 20): sell A 8/3 -> B += 8/3 / 20 = 2/15 unit -> 1/5 unit.
      // close day 5: 1/5 x 10 = 2; close day 6: 2.
      const expected = [1, 2, 8 / 3, 4, 2, 2];
      r.nav.forEach((n, i) => expect(n.sanx, n.date).to.be.closeTo(expected[i]!, 1e-12));
      expect(r.metrics.sanx.totalReturn).to.be.closeTo(1, 1e-12);
      expect(r.metrics.sanx.maxDrawdown).to.be.closeTo(0.5, 1e-12);
      // turnover: 1 (reserve -> AAA) + (|4/3 - 2| + 2/3) / 2 / 2 = 1/3 + (8/3 + 8/3) / 2 / 4 = 2/3 -> 2.
      expect(r.metrics.sanx.turnover).to.be.closeTo(2, 1e-12);
    });

    it("computes buy-and-hold with market-cap weights set at the start of the window", function () {
      // day-0 caps 100 / 100 -> 0.5 each: 0.5 unit A, 0.05 unit B.
      // closes: 1, 1.5, 2, 3, 2.5, 1.5
      expect(r.buyHoldWeights).to.deep.equal([
        { asset: "AAA", weight: 0.5 },
        { asset: "BBB", weight: 0.5 },
      ]);
      const expected = [1, 1.5, 2, 3, 2.5, 1.5];
      r.nav.forEach((n, i) => expect(n.buyHold, n.date).to.be.closeTo(expected[i]!, 1e-12));
      expect(r.metrics.buyHold.totalReturn).to.be.closeTo(0.5, 1e-12);
      expect(r.metrics.buyHold.maxDrawdown).to.be.closeTo(0.5, 1e-12);
      expect(r.metrics.buyHold.turnover).to.be.closeTo(1, 1e-12);
    });

    it("annualises the sample sd of daily simple returns with sqrt(365)", function () {
      const navs = [1, 1, 1.5, 2, 3, 2.5, 1.5];
      const rets = navs.slice(1).map((v, i) => v / navs[i]! - 1); // 0, .5, 1/3, .5, -1/6, -.4
      const mean = rets.reduce((s, x) => s + x, 0) / 6;
      const sd = Math.sqrt(rets.reduce((s, x) => s + (x - mean) ** 2, 0) / 5);
      expect(r.metrics.buyHold.annualisedVolatility).to.be.closeTo(sd * Math.sqrt(365), 1e-12);
      expect(navMetrics([1, 1, 1], 0)).to.deep.equal({ totalReturn: 0, annualisedVolatility: 0, maxDrawdown: 0, turnover: 0 });
    });
  });

  describe("#runBacktest rules", function () {
    it("moves the basket into the reserve when the last asset is removed (NAV then constant)", function () {
      const signals: SanxSignal[] = [
        { day: day(1), asset: "AAA", zone: "OPPORTUNITY" },
        { day: day(3), asset: "AAA", zone: "DANGER" },
      ];
      const r = runBacktest([A, B], { signals, delay: 1 });
      // start of day 4 sells 1 unit A at the day-3 price 2 -> reserve 2; closes 2, 2, 2.
      expect(r.nav.slice(3).map((n) => n.sanx)).to.deep.equal([2, 2, 2]);
      expect(r.membership[r.membership.length - 1]).to.deep.equal({ date: "2021-01-05", members: [] });
    });

    it("makes an action wait while an asset it trades has no market row for the day before", function () {
      // BBB has no row on day 2: the ADD of BBB due on day 3 waits until day 4 (day-3 prices).
      const Bgap = asset("BBB", [10, 10, null, 20, 20, 10, 10], 10);
      const r = runBacktest([A, Bgap], { signals: SIGNALS, delay: 1 });
      expect(r.actions[1]).to.deep.equal({ date: "2021-01-05", asset: "BBB", action: "ADD", signalDate: "2021-01-03" });
    });

    it("values a held asset at its last known price on a day without a row", function () {
      const Agap = asset("AAA", [1, 1, 2, null, 4, 4, 2], 100);
      const r = runBacktest([Agap, B], { signals: [SIGNALS[0]!], delay: 1 });
      expect(r.nav[2]!.sanx).to.equal(2); // day 3 has no row: 1 unit at the day-2 close, 2
    });

    it("only executes actions due by `to` and reports the rest as pending", function () {
      const r = runBacktest([A, B], { signals: SIGNALS, delay: 1, to: day(4) });
      expect(r.actions.map((a) => a.action + a.asset)).to.deep.equal(["ADDAAA", "ADDBBB"]);
      expect(r.pendingAtEnd).to.deep.equal([{ asset: "AAA", action: "REMOVE", signalDate: "2021-01-05", dueDate: "2021-01-06" }]);
    });

    it("throws a MethodologyError for an empty universe or an empty window", function () {
      expect(() => runBacktest([])).to.throw(MethodologyError, /universe is empty/);
      expect(() => runBacktest([A, B], { from: day(5), to: day(4) })).to.throw(MethodologyError, /empty/);
    });
  });

  describe("SAMPLE data (sample/)", function () {
    const dir = path.resolve(__dirname, "../../../sample");
    it("fires at least one OPPORTUNITY and one DANGER signal and executes an ADD and a REMOVE", function () {
      const data = loadSanxData(dir);
      expect(data.assets.length).to.be.greaterThan(1);
      for (const a of data.assets) expect(defiSymbols().has(a.symbol)).to.equal(true);
      const zones = new Set(data.assets.flatMap((a) => computeSignals(a.mvrv).events.map((e) => e.zone)));
      expect([...zones].sort()).to.deep.equal(["DANGER", "OPPORTUNITY"]);
      const r = runBacktest(data.assets);
      expect(r.actions.some((a) => a.action === "ADD")).to.equal(true);
      expect(r.actions.some((a) => a.action === "REMOVE")).to.equal(true);
    });
  });

  describe("real data (../shared/data)", function () {
    it("runs over the DeFi universe of the shared data", function () {
      this.timeout(60000);
      const dir = useEnv("SSI_DATA_DIR") ?? path.resolve(__dirname, "../../../../shared/data");
      if (!existsSync(path.join(dir, "mvrv"))) {
        console.log(`      (skipped: ${dir} is absent; set SSI_DATA_DIR to the shared data folder)`);
        this.skip();
      }
      const data = loadSanxData(dir);
      const r = runBacktest(data.assets);
      expect(r.universe).to.include.members(["AAVE", "UNI", "MKR"]);
      // every action follows a signal of the right kind dated `delay` days before it (or earlier, if it waited)
      for (const a of r.actions) {
        const s = r.signals.find((x) => x.date === a.signalDate && x.asset === a.asset);
        expect(s?.zone, `${a.asset} ${a.signalDate}`).to.equal(a.action === "ADD" ? "OPPORTUNITY" : "DANGER");
        expect(parseDay(a.date, "t") - parseDay(a.signalDate, "t")).to.be.at.least(3);
      }
    });
  });
});

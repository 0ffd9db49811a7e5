import { expect } from "chai";
import { parseDay } from "../../../src/lib/csv";
import { MAG7 } from "../../../src/methodology";
import type { MarketRow } from "../../../src/sanx/backtest";
import { runSsiBacktest } from "../../../src/report/ssi-backtest";

/** Daily rows from `from` to `to` (inclusive) with price(dayIndex) and a fixed supply. */
function series(from: string, to: string, supply: number, price: (i: number) => number): Map<number, MarketRow> {
  const out = new Map<number, MarketRow>();
  const a = parseDay(from, "t");
  for (let d = a, i = 0; d <= parseDay(to, "t"); d++, i++) out.set(d, { price: price(i), marketCap: price(i) * supply });
  return out;
}

const L1 = ["BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "TRX", "DOGE"]; // token list tags, none stablecoin

describe("report SSI backtest", () => {
  it("with constant prices both baskets stay at 1 and every month-end picks the top 7", () => {
    const market = new Map(L1.map((s, k) => [s, series("2021-01-15", "2021-04-10", 1000 * (k + 1), () => 10)]));
    const r = runSsiBacktest(MAG7, market);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.from).to.equal("2021-01-31");
    expect(r.value.to).to.equal("2021-04-10");
    expect(r.value.rounds.map((x) => x.date)).to.deep.equal(["2021-01-31", "2021-02-28", "2021-03-31"]);
    expect(r.value.rounds[0]!.weights).to.have.length(7);
    expect(r.value.rounds[0]!.weights.map((w) => w.symbol)).to.not.include("BTC"); // the smallest cap
    for (const n of r.value.nav) {
      expect(n.index).to.be.closeTo(1, 1e-12);
      expect(n.buyHold).to.be.closeTo(1, 1e-12);
    }
  });

  it("tracks a price move of a constituent by its weight, and ends where a held asset's file ends", () => {
    const market = new Map(L1.map((s, k) => [s, series("2021-01-15", k === 7 ? "2021-02-20" : "2021-04-10", 1000 * (k + 1), (i) => (s === "DOGE" && i >= 20 ? 20 : 10))]));
    const r = runSsiBacktest(MAG7, market);
    if (!r.ok) throw new Error(r.reason);
    const w = r.value.rounds[0]!.weights.find((x) => x.symbol === "DOGE")!.weight;
    const after = r.value.nav.find((n) => n.date === "2021-02-10")!; // DOGE doubled on 2021-02-04
    expect(after.index).to.be.closeTo(1 + w, 1e-9);
    expect(r.value.to).to.equal("2021-02-20");
    expect(r.value.endReason).to.equal("DOGE has no price after 2021-02-20 in the folder");
  });

  it("refuses a folder that never holds N eligible assets at once, saying how many it has", () => {
    const market = new Map(L1.slice(0, 5).map((s) => [s, series("2021-01-15", "2021-04-10", 1000, () => 10)]));
    const r = runSsiBacktest(MAG7, market);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.reason).to.equal("no month-end in the folder has the 7 eligible assets MAG7 needs (at most 5 at once)");
  });
});

import { expect } from "chai";
import { InputError } from "../../../src/lib/errors";
import {
  type Book,
  WAD,
  applyPerpTrade,
  detectDrift,
  fundingPayment,
  hedgeOrders,
  hedgeSizes,
  netDeltas,
  targetPositions,
  perpUnrealisedPnl,
} from "../../../src/ussi";

const e18 = (x: number | string): bigint => {
  const [i, f = ""] = String(x).split(".");
  const neg = i!.startsWith("-");
  const v = BigInt(i!.replace("-", "")) * WAD + BigInt((f + "0".repeat(18)).slice(0, 18));
  return neg ? -v : v;
};
const book = (spot: Record<string, number>, perp: Record<string, number>, cash = 0): Book => ({
  spot: Object.fromEntries(Object.entries(spot).map(([k, v]) => [k, e18(v)])),
  perp: Object.fromEntries(Object.entries(perp).map(([k, v]) => [k, { size: e18(v), entryPrice: e18(1) }])),
  cash: e18(cash),
  fundingAccrued: 0n,
});

describe("ussi/hedge", () => {
  describe("#hedgeSizes", () => {
    // hand table: spot coins -> short perp coins of the same quantity
    const cases: Array<[Record<string, number>, Record<string, number>]> = [
      [
        { BTC: 1.5, ETH: 20 },
        { BTC: -1.5, ETH: -20 },
      ],
      [{ SOL: 0 }, { SOL: 0 }],
      [{ DOGE: 123456.789 }, { DOGE: -123456.789 }],
    ];
    for (const [spot, want] of cases) {
      it(`returns the short perp for ${JSON.stringify(spot)}`, () => {
        const got = hedgeSizes(Object.fromEntries(Object.entries(spot).map(([k, v]) => [k, e18(v)])));
        expect(got).to.deep.equal(Object.fromEntries(Object.entries(want).map(([k, v]) => [k, e18(v)])));
      });
    }
    it("throws when a spot holding is negative", () => expect(() => hedgeSizes({ BTC: -1n })).to.throw(InputError, /BTC/));
  });

  describe("#targetPositions", () => {
    it("returns the spot leg of NAV minus the buffer at the weights, each hedged (hand-worked)", () => {
      // NAV 1,000,000, buffer 5% -> 950,000 invested: BTC 60% = 570,000 / 50,000 = 11.4 BTC;
      // ETH 40% = 380,000 / 2,500 = 152 ETH; cash 50,000
      const t = targetPositions(
        { BTC: 6n * 10n ** 17n, ETH: 4n * 10n ** 17n },
        e18(1_000_000),
        { BTC: e18(50_000), ETH: e18(2_500) },
        5n * 10n ** 16n
      );
      expect(t).to.deep.equal({
        spot: { BTC: e18(11.4), ETH: e18(152) },
        perp: { BTC: e18(-11.4), ETH: e18(-152) },
        investable: e18(950_000),
        cash: e18(50_000),
      });
    });
    it("rounds quantities down so the spend never exceeds the investable amount", () => {
      // 100 USD at 3 USD/coin -> 33.333333333333333333 coins (down), cost 99.999999999999999999: 1 wei left in cash
      const t = targetPositions({ X: WAD }, e18(100), { X: e18(3) }, 0n);
      expect(t.spot["X"]).to.equal(33_333_333_333_333_333_333n);
      expect(t.cash).to.equal(1n);
    });
    it("throws when the weights do not sum to 1e18", () => {
      expect(() => targetPositions({ X: WAD - 1n }, e18(1), { X: WAD }, 0n)).to.throw(InputError, /expected exactly/);
    });
  });

  describe("#netDeltas", () => {
    it("returns delta in coins, USD and bps of NAV (hand-worked)", () => {
      // BTC: spot 2, perp -1.9 at $50,000 -> +0.1 BTC = +$5,000 -> 5000/100000 = 500 bps
      // ETH: spot 10, perp -10.5 at $3,000 -> -0.5 ETH = -$1,500 -> 150 bps
      const b = book({ BTC: 2, ETH: 10 }, { BTC: -1.9, ETH: -10.5 });
      const d = netDeltas(b, { BTC: e18(50_000), ETH: e18(3_000) }, e18(100_000));
      expect(d.map((x) => [x.symbol, x.deltaQty, x.deltaUsd, x.deltaBps])).to.deep.equal([
        ["BTC", e18(0.1), e18(5_000), 500n],
        ["ETH", e18(-0.5), e18(-1_500), 150n],
      ]);
    });
    it("rounds bps up", () => {
      // $1 of delta over $30,000 NAV = 0.333.. bps -> 1
      const d = netDeltas(book({ X: 1 }, {}), { X: WAD }, e18(30_000));
      expect(d[0]!.deltaBps).to.equal(1n);
    });
    it("throws when NAV is not positive", () => expect(() => netDeltas(book({}, {}), {}, 0n)).to.throw(InputError));
  });

  describe("#detectDrift", () => {
    const prices = { BTC: e18(50_000), ETH: e18(2_000) };
    const nav = e18(1_000_000); // 2% = $20,000
    const cases: Array<[string, Book, boolean, string[]]> = [
      ["returns no rebalance when fully hedged", book({ BTC: 10, ETH: 100 }, { BTC: -10, ETH: -100 }), false, []],
      // 0.4 BTC * 50,000 = 20,000 = exactly 2% -> not above
      ["returns no rebalance at exactly the tolerance", book({ BTC: 10.4 }, { BTC: -10 }), false, []],
      // 0.400000000000000001 BTC -> $20,000.00000000000005 > 2%
      [
        "returns a rebalance 1 wei of coin above the tolerance",
        book({ BTC: "10.400000000000000001" as unknown as number }, { BTC: -10 }),
        true,
        ["BTC"],
      ],
      // short side: ETH -10.000000000000000001 * 2000 just below -2%
      [
        "returns a rebalance when net short just beyond the tolerance",
        book({ ETH: 90 }, { ETH: "-100.000000000000000001" as unknown as number }),
        true,
        ["ETH"],
      ],
      ["returns a rebalance when ANY asset breaches", book({ BTC: 10, ETH: 111 }, { BTC: -10, ETH: -100 }), true, ["ETH"]],
    ];
    for (const [name, b, rebalance, breaches] of cases) {
      it(name, () => {
        const got = detectDrift(b, prices, nav);
        expect(got.rebalance).to.equal(rebalance);
        expect(got.breaches).to.deep.equal(breaches);
      });
    }
    it("uses a configurable tolerance", () => {
      const b = book({ BTC: 10.1 }, { BTC: -10 }); // $5,000 = 0.5%
      expect(detectDrift(b, prices, nav, 5n * 10n ** 15n).rebalance).to.equal(false);
      expect(detectDrift(b, prices, nav, 4n * 10n ** 15n).rebalance).to.equal(true);
    });
    it("reports the max delta in bps", () => {
      const b = book({ BTC: 10.4, ETH: 100 }, { BTC: -10, ETH: -101 }); // 200 bps, 20 bps
      expect(detectDrift(b, prices, nav).maxDeltaBps).to.equal(200n);
    });
  });

  describe("#hedgeOrders", () => {
    it("returns the orders back to zero net delta and nothing for hedged assets", () => {
      const b = book({ BTC: 10.4, ETH: 90, SOL: 5 }, { BTC: -10, ETH: -100, SOL: -5 });
      expect(hedgeOrders(b)).to.deep.equal([
        { symbol: "BTC", side: "sell", size: e18(0.4), perpChange: e18(-0.4) },
        { symbol: "ETH", side: "buy", size: e18(10), perpChange: e18(10) },
      ]);
    });
    it("returns a full short for an unhedged asset", () => {
      expect(hedgeOrders(book({ ADA: 1000 }, {}))).to.deep.equal([
        { symbol: "ADA", side: "sell", size: e18(1000), perpChange: e18(-1000) },
      ]);
    });
  });

  describe("#fundingPayment", () => {
    // notional = |size| * mark; a short receives notional * rate for rate > 0, pays for rate < 0
    const cases: Array<[string, number, number, string, bigint]> = [
      ["short receives on a positive rate", -2, 50_000, "0.0001", e18(10)],
      ["short pays on a negative rate", -2, 50_000, "-0.0003", e18(-30)],
      ["long pays on a positive rate", 2, 50_000, "0.0001", e18(-10)],
      ["nothing at a zero rate", -2, 50_000, "0", 0n],
      ["uses the mark price at settlement", -1000, 0.5, "0.00022753", e18(0.113765)],
    ];
    for (const [name, size, mark, rate, want] of cases) {
      it(`returns ${want} when ${name}`, () => expect(fundingPayment(e18(size), e18(mark), e18(rate))).to.equal(want));
    }
    it("rounds against the book (down)", () => {
      // -1 wei coin * 1 wei price * 1e14 -> 1e14/1e36 -> floor 0; a payer: -1 wei
      expect(fundingPayment(-1n, 1n, 10n ** 14n)).to.equal(0n);
      expect(fundingPayment(-1n, 1n, -(10n ** 14n))).to.equal(-1n);
    });
  });

  describe("#applyPerpTrade / #perpUnrealisedPnl", () => {
    it("averages the entry when adding to a short", () => {
      const r = applyPerpTrade({ size: e18(-1), entryPrice: e18(100) }, e18(-1), e18(110));
      expect(r).to.deep.equal({ position: { size: e18(-2), entryPrice: e18(105) }, realisedPnl: 0n });
    });
    it("realises PnL on the closed part of a short", () => {
      // short 2 @105, buy 1 @95: +10 realised, 1 left @105
      const r = applyPerpTrade({ size: e18(-2), entryPrice: e18(105) }, e18(1), e18(95));
      expect(r).to.deep.equal({ position: { size: e18(-1), entryPrice: e18(105) }, realisedPnl: e18(10) });
    });
    it("closes and reopens the remainder when crossing zero", () => {
      // short 1 @100, buy 3 @120: -20 realised, long 2 @120
      const r = applyPerpTrade({ size: e18(-1), entryPrice: e18(100) }, e18(3), e18(120));
      expect(r).to.deep.equal({ position: { size: e18(2), entryPrice: e18(120) }, realisedPnl: e18(-20) });
    });
    it("marks a short's unrealised PnL", () => {
      expect(perpUnrealisedPnl({ size: e18(-2), entryPrice: e18(100) }, e18(90))).to.equal(e18(20));
      expect(perpUnrealisedPnl({ size: e18(-2), entryPrice: e18(100) }, e18(130))).to.equal(e18(-60));
    });
  });
});

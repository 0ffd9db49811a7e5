import { expect } from "chai";
import { InputError } from "../../../src/lib/errors";
import { type Book, WAD, liquidBuffer, navBreakdown, navReport, redemptionRoute } from "../../../src/ussi";

const e18 = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n; // exact for <= 6 decimals

// Hand-worked book: BTC spot 2 @ 50,000 = 100,000; perp -2 entered @ 48,000 -> PnL -4,000.
// ETH spot 10 @ 3,000 = 30,000; perp -9 @ 3,100 -> PnL +900. Net delta ETH +1 = $3,000.
// cash 7,000; funding accrued 120.5.
// NAV = 130,000 - 3,100 + 120.5 + 7,000 = 134,020.5
const book: Book = {
  spot: { BTC: e18(2), ETH: e18(10) },
  perp: { BTC: { size: e18(-2), entryPrice: e18(48_000) }, ETH: { size: e18(-9), entryPrice: e18(3_100) } },
  cash: e18(7_000),
  fundingAccrued: e18(120.5),
};
const prices = { BTC: e18(50_000), ETH: e18(3_000) };

describe("ussi/nav", () => {
  describe("#navBreakdown", () => {
    it("returns spot value, perp PnL, funding and cash that sum to NAV (hand-worked)", () => {
      const b = navBreakdown(book, prices);
      expect(b).to.deep.equal({
        spotValue: e18(130_000),
        perpPnl: e18(-3_100),
        fundingAccrued: e18(120.5),
        cash: e18(7_000),
        nav: e18(134_020.5),
      });
      expect(b.spotValue + b.perpPnl + b.fundingAccrued + b.cash).to.equal(b.nav);
    });
    it("throws when an asset with a position has no price", () => {
      expect(() => navBreakdown(book, { BTC: e18(1) })).to.throw(InputError, /ETH/);
    });
  });

  describe("#navReport", () => {
    it("returns the on-chain report fields (hand-worked)", () => {
      const r = navReport({ book, prices, supply: e18(100_000), round: 7n, timestamp: 1_700_000_000n });
      // navPerToken = 134,020.5 / 100,000 = 1.340205; netDeltaBps = ceil(3,000 / 134,020.5 * 1e4) = ceil(223.846..) = 224
      expect(r).to.deep.equal({
        round: 7n,
        nav: e18(134_020.5),
        navPerToken: e18(1.340205),
        spotValue: e18(130_000),
        perpPnl: e18(-3_100),
        fundingAccrued: e18(120.5),
        netDeltaBps: 224n,
        timestamp: 1_700_000_000n,
      });
    });
    it("rounds NAV per token down", () => {
      const r = navReport({
        book: { spot: {}, perp: {}, cash: 10n * WAD, fundingAccrued: 0n },
        prices: {},
        supply: 3n * WAD,
        round: 0n,
        timestamp: 0n,
      });
      expect(r.navPerToken).to.equal(3_333_333_333_333_333_333n);
    });
    it("throws on zero supply and on a non-positive NAV", () => {
      expect(() => navReport({ book, prices, supply: 0n, round: 0n, timestamp: 0n })).to.throw(InputError, /supply/);
      const empty: Book = { spot: {}, perp: {}, cash: 0n, fundingAccrued: 0n };
      expect(() => navReport({ book: empty, prices: {}, supply: WAD, round: 0n, timestamp: 0n })).to.throw(InputError, /NAV/);
    });
  });

  describe("#liquidBuffer", () => {
    const cases: Array<
      [string, number, number, bigint | undefined, { target: number; available: number; shortfall: number; excess: number }]
    > = [
      [
        "returns a shortfall when cash is below 5% of NAV",
        1_000_000,
        30_000,
        undefined,
        { target: 50_000, available: 30_000, shortfall: 20_000, excess: 0 },
      ],
      [
        "returns an excess when cash is above",
        1_000_000,
        80_000,
        undefined,
        { target: 50_000, available: 80_000, shortfall: 0, excess: 30_000 },
      ],
      ["uses a configurable buffer", 200_000, 10_000, 10n ** 17n, { target: 20_000, available: 10_000, shortfall: 10_000, excess: 0 }],
      ["treats negative cash as none available", 100_000, -1_000, undefined, { target: 5_000, available: 0, shortfall: 5_000, excess: 0 }],
    ];
    for (const [name, nav, cash, buf, want] of cases) {
      it(name, () => {
        const got = liquidBuffer(e18(nav), e18(cash), buf);
        expect(got).to.deep.equal({
          target: e18(want.target),
          available: e18(want.available),
          shortfall: e18(want.shortfall),
          excess: e18(want.excess),
        });
      });
    }
    it("rounds the target up", () => expect(liquidBuffer(19n, 0n).target).to.equal(1n)); // 19 * 0.05 = 0.95 -> 1
    it("routes a redemption the buffer covers to instant and a larger one to the queue", () => {
      const b = liquidBuffer(e18(1_000_000), e18(50_000));
      expect(redemptionRoute(e18(50_000), b)).to.equal("instant");
      expect(redemptionRoute(e18(50_000) + 1n, b)).to.equal("queued");
    });
  });
});

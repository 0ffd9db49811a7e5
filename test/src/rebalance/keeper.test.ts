import { expect } from "chai";
import fc from "fast-check";
import { checkWeights, keeperDustUsd, pairOf, scheduleTrades, slippageBoundUsd, type Position } from "../../../src/rebalance";
import { InputError } from "../../../src/lib/errors";
import type { Trade } from "../../../src/planner";

const WAD = 10n ** 18n;
const USD = WAD;
const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000Bb";
const C = "0x00000000000000000000000000000000000000cc";

function trade(tokenIn: string, tokenOut: string, usd = 100n): Trade {
  return { tokenIn, tokenOut, symbolIn: tokenIn.slice(-2), symbolOut: tokenOut.slice(-2), amountIn: usd, expectedAmountOut: usd, minAmountOut: usd, path: [tokenIn, tokenOut], fees: [3000], usdValue: usd * USD };
}

describe("src/rebalance", function () {
  describe("#pairOf", function () {
    it("returns the same key for both orders and for any address case", function () {
      expect(pairOf(A, B)).to.equal(pairOf(B.toLowerCase(), A.toUpperCase().replace("0X", "0x")));
      expect(pairOf(A, B)).to.not.equal(pairOf(A, C));
    });
  });

  describe("#scheduleTrades", function () {
    const cases: { name: string; trades: Trade[]; cooldown: bigint; last?: [string, bigint][]; maxBatch?: number; now: number[][]; waiting: [number, bigint, string][] }[] = [
      { name: "sends everything at once with cooldown 0, even repeated pairs", trades: [trade(A, B), trade(A, B), trade(B, A)], cooldown: 0n, now: [[0, 1, 2]], waiting: [] },
      { name: "sends one trade per unordered pair with a cooldown; later chunks wait until now + cooldown", trades: [trade(A, B), trade(A, C), trade(B, A)], cooldown: 3600n, now: [[0, 1]], waiting: [[2, 1000n + 3600n, "after-earlier-chunk"]] },
      { name: "holds a pair still in its cool-off until lastTradeAt + cooldown", trades: [trade(A, B), trade(A, C)], cooldown: 3600n, last: [[pairOf(A, B), 900n]], now: [[1]], waiting: [[0, 4500n, "cooldown"]] },
      { name: "sends a pair whose cool-off ended exactly now", trades: [trade(A, B)], cooldown: 100n, last: [[pairOf(A, B), 900n]], now: [[0]], waiting: [] },
      { name: "cuts the trades sent now into batches of maxBatch", trades: [trade(A, B), trade(A, C), trade(B, C)], cooldown: 0n, maxBatch: 2, now: [[0, 1], [2]], waiting: [] },
    ];
    for (const c of cases) {
      it(c.name, function () {
        const s = scheduleTrades(c.trades, { now: 1000n, cooldown: c.cooldown, lastTradeAt: new Map(c.last ?? []), maxBatch: c.maxBatch ?? 8 });
        expect(s.batches.map((b) => b.map((t) => c.trades.indexOf(t)))).to.deep.equal(c.now);
        expect(s.waiting.map((w) => [c.trades.indexOf(w.trade), w.until, w.reason])).to.deep.equal(c.waiting);
      });
    }

    it("never sends a pair twice with a cooldown, and loses no trade (property)", function () {
      const tokens = [A, B, C];
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(2)).filter(([x, y]) => x !== y), { maxLength: 20 }), fc.integer({ min: 1, max: 5 }), (pairs, maxBatch) => {
          const trades = pairs.map(([x, y]) => trade(tokens[x]!, tokens[y]!));
          const s = scheduleTrades(trades, { now: 10n, cooldown: 60n, lastTradeAt: new Map(), maxBatch });
          const sent = s.batches.flat();
          expect(sent.length + s.waiting.length).to.equal(trades.length);
          expect(new Set(sent.map((t) => pairOf(t.tokenIn, t.tokenOut))).size).to.equal(sent.length);
          for (const b of s.batches) expect(b.length).to.be.within(1, maxBatch);
        }),
        { seed: 7 },
      );
    });

    it("throws InputError for maxBatch below 1 or a negative cooldown", function () {
      expect(() => scheduleTrades([], { now: 0n, cooldown: 0n, lastTradeAt: new Map(), maxBatch: 0 })).to.throw(InputError);
      expect(() => scheduleTrades([], { now: 0n, cooldown: -1n, lastTradeAt: new Map(), maxBatch: 1 })).to.throw(InputError);
    });
  });

  describe("#keeperDustUsd", function () {
    const cases: [string, bigint, number, bigint, number, bigint][] = [
      // name, nav, tolBps, cap, tokens, expected (worked by hand)
      ["a quarter of the tolerance's value split over the tokens: $100k, 50 bps, 10 tokens -> $12.50", 100_000n * USD, 50, 50_000n * USD, 10, (125n * USD) / 10n],
      ["rounds DOWN: $1, 1 bp, 3 tokens -> floor(1e18 / 120000)", USD, 1, USD, 3, USD / 120_000n],
      ["never above half the cap", 100_000_000n * USD, 500, 100n * USD, 1, 50n * USD],
      ["zero for an empty vault", 0n, 50, USD, 5, 0n],
    ];
    for (const [name, nav, tol, cap, n, want] of cases) {
      it(`returns ${name}`, function () {
        expect(keeperDustUsd(nav, tol, cap, n)).to.equal(want);
      });
    }
    it("throws InputError for zero tokens", function () {
      expect(() => keeperDustUsd(USD, 50, USD, 0)).to.throw(InputError);
    });
  });

  describe("#checkWeights", function () {
    const pos = (address: string, balance: bigint, price: bigint, decimals = 18): Position => ({ address, symbol: address.slice(-2), decimals, balance, price });

    it("returns value weights rounded down and flags each token against the tolerance (worked by hand)", function () {
      // A: 1 token at $600 = $600; B: 2e8 units of an 8-decimal token at $200 = $400. NAV $1000: 60% / 40%.
      const r = checkWeights([pos(A, WAD, 600n * USD), pos(B, 2n * 10n ** 8n, 200n * USD, 8)], new Map([[A, (WAD * 595n) / 1000n], [B, (WAD * 405n) / 1000n]]), 50);
      expect(r.navUsd).to.equal(1000n * USD);
      expect(r.rows.map((x) => x.weight)).to.deep.equal([(WAD * 6n) / 10n, (WAD * 4n) / 10n]);
      expect(r.rows.map((x) => x.diff)).to.deep.equal([WAD / 200n, WAD / 200n]);
      expect(r.ok).to.equal(true); // 0.5% off, tolerance 50 bps: on the boundary, allowed
      expect(checkWeights([pos(A, WAD, 600n * USD), pos(B, 2n * 10n ** 8n, 200n * USD, 8)], new Map([[A, (WAD * 595n) / 1000n], [B, (WAD * 405n) / 1000n]]), 49).ok).to.equal(false);
    });

    it("treats a held token outside the targets as target 0, and a target with a zero balance as weight 0", function () {
      const r = checkWeights([pos(A, WAD, USD), pos(B, 0n, USD), pos(C, WAD / 1000n, USD)], new Map([[A, WAD / 2n], [B, WAD / 2n]]), 100);
      expect(r.rows.find((x) => x.address === B)!.weight).to.equal(0n);
      expect(r.rows.find((x) => x.address === C)!.target).to.equal(0n);
      expect(r.ok).to.equal(false);
    });

    it("matches targets case-insensitively and throws InputError for a target with no position", function () {
      expect(checkWeights([pos(A, WAD, USD)], new Map([[A.toUpperCase().replace("0X", "0x"), WAD]]), 0).ok).to.equal(true);
      expect(() => checkWeights([pos(A, WAD, USD)], new Map([[B, WAD]]), 0)).to.throw(InputError);
    });
  });

  describe("#slippageBoundUsd", function () {
    it("returns floor(traded USD * bps / 1e4)", function () {
      expect(slippageBoundUsd([trade(A, B, 1000n), trade(B, C, 234n)], 100)).to.equal((1234n * USD) / 100n);
      expect(slippageBoundUsd([{ usdValue: 99n }], 100)).to.equal(0n);
    });
  });
});

import { expect } from "chai";
import { candidateRoutes, checkAgainstNav, encodeZapRoute, navOfShares, quoteZap, type ZapQuoteInput } from "../../../src/zap";
import { InputError, SsiError } from "../../../src/lib/errors";

const A = (n: number) => "0x" + n.toString(16).padStart(40, "0");
const [USDC, WETH, BTC, LINK, PEPE] = [A(1), A(2), A(3), A(4), A(5)];
const WAD = 10n ** 18n;
const pools = [
  { tokenA: USDC, tokenB: WETH, fee: 500 },
  { tokenA: BTC, tokenB: USDC, fee: 3000 },
  { tokenA: BTC, tokenB: USDC, fee: 500 },
  { tokenA: BTC, tokenB: WETH, fee: 3000 },
  { tokenA: LINK, tokenB: WETH, fee: 3000 },
];

describe("src/zap quote", function () {
  describe("candidateRoutes", function () {
    it("lists every direct fee tier, then each hub with a pool to both ends, then hub pairs", function () {
      const r = candidateRoutes(BTC, USDC, pools, [USDC, WETH]);
      expect(r).to.deep.equal([
        { tokens: [BTC, USDC], fees: [3000] },
        { tokens: [BTC, USDC], fees: [500] },
        { tokens: [BTC, WETH, USDC], fees: [3000, 500] },
      ]);
      // LINK has only a WETH pool: through WETH to USDC.
      expect(candidateRoutes(LINK, USDC, pools, [USDC, WETH])).to.deep.equal([{ tokens: [LINK, WETH, USDC], fees: [3000, 500] }]);
    });

    it("is empty for the payment token itself and for a token with no pool", function () {
      expect(candidateRoutes(USDC, USDC.toUpperCase().replace("0X", "0x"), pools, [USDC, WETH])).to.deep.equal([]);
      expect(candidateRoutes(PEPE, USDC, pools, [USDC, WETH])).to.deep.equal([]);
    });

    it("encodes constituent first, payment token last (exactOutput's reversed and exactInput's order alike)", function () {
      expect(encodeZapRoute({ tokens: [BTC, USDC], fees: [3000] })).to.equal("0x" + BTC.slice(2) + "000bb8" + USDC.slice(2));
      expect(encodeZapRoute(undefined)).to.equal("0x");
    });
  });

  describe("quoteZap", function () {
    const input = (side: "mint" | "redeem", navUsd: bigint): ZapQuoteInput => ({
      side, shares: 10n * WAD, navUsd,
      payToken: { address: USDC, symbol: "USDC", decimals: 6, priceUsd: WAD },
      legs: [
        { token: BTC, symbol: "cbBTC", decimals: 8, amount: 1_000_000n, priceUsd: 100_000n * WAD, quotes: [
          { route: { tokens: [BTC, USDC], fees: [3000] }, amount: 1_003_000_000n },
          { route: { tokens: [BTC, WETH, USDC], fees: [3000, 500] }, amount: side === "mint" ? 1_004_000_000n : 1_002_000_000n },
        ] },
        { token: USDC, symbol: "USDC", decimals: 6, amount: 500_000_000n, priceUsd: WAD, quotes: [] },
      ],
    });

    it("mint: picks the cheapest route, takes the payment token in kind, rounds the bound UP and shows the premium over NAV", function () {
      const q = quoteZap({ ...input("mint", 1_500n * WAD), maxSlippageBps: 50 });
      expect(q.legs[0]!.route).to.deep.equal({ tokens: [BTC, USDC], fees: [3000] });
      expect(q.legs[1]!.route).to.equal(undefined);
      expect(q.amount).to.equal(1_503_000_000n);
      expect(q.bound).to.equal(1_510_515_000n); // 1,503,000,000 * 1.005 exactly
      expect(q.routes[1]).to.equal("0x");
      expect(q.quoteUsd).to.equal(1_503n * WAD);
      expect(q.costBps).to.equal(20); // 3 / 1500 = 20 bps
      const odd = quoteZap({ ...input("mint", 1_500n * WAD), maxSlippageBps: 1 });
      expect(odd.bound).to.equal(1_503_150_300n); // 1,503,000,000 * 1.0001 exactly
    });

    it("redeem: picks the best output, rounds the bound DOWN and shows the discount to NAV", function () {
      const q = quoteZap({ ...input("redeem", 1_506n * WAD), maxSlippageBps: 33 });
      expect(q.amount).to.equal(1_503_000_000n);
      expect(q.bound).to.equal((1_503_000_000n * 9_967n) / 10_000n);
      expect(q.costBps).to.equal(20); // (1506 - 1503) / 1506 = 19.92 bps, rounded UP
    });

    it("names a constituent without any quoted route, and rejects bad slippage", function () {
      const bad = input("mint", WAD);
      const noRoute = { ...bad, legs: [{ ...bad.legs[0]!, quotes: [] }] };
      expect(() => quoteZap(noRoute)).to.throw(InputError, /no quoted route between cbBTC/);
      expect(() => quoteZap({ ...bad, maxSlippageBps: 10_000 })).to.throw(InputError, /max slippage/);
    });
  });

  describe("checkAgainstNav", function () {
    it("refuses a quote worse than NAV by more than the margin, accepts one within it (and a discount)", function () {
      const mk = (costBps: number) => ({ costBps, side: "mint" }) as Parameters<typeof checkAgainstNav>[0];
      expect(() => checkAgainstNav(mk(201), 200)).to.throw(SsiError, /2.01% worse than the oracle NAV/);
      expect(() => checkAgainstNav(mk(200), 200)).to.not.throw();
      expect(() => checkAgainstNav(mk(-50), 0)).to.not.throw();
    });

    it("navOfShares rounds DOWN", function () {
      expect(navOfShares(100n * WAD + 1n, 3n)).to.equal(300n);
    });
  });
});

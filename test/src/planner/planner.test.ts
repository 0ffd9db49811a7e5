import { expect } from "chai";
import fc from "fast-check";
import { InputError, MethodologyError } from "../../../src/lib/errors";
import {
  applyTrades,
  chunk,
  encodeV3Path,
  planTrades,
  WAD,
  type Holding,
  type PlanInput,
  type Pool,
  type Trade,
} from "../../../src/planner";

// Hand-worked cases. Prices are {1e18 USD per whole token}; every expected number below is worked
// from the prices by hand in the comment beside it, not copied from the planner's output.
const E18 = 10n ** 18n;
const usd = (dollars: number | bigint): bigint => BigInt(dollars) * E18;
const wad = (percent: number): bigint => (BigInt(percent) * WAD) / 100n;

const USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"; // 6 decimals, $1
const WETH = "0x4200000000000000000000000000000000000006"; // 18 decimals, $2000
const CBBTC = "0xcbB7C0000aB88B473b1f5aFd9ef808440eed33Bf"; // 8 decimals, $50000
const LINK = "0x1111111111111111111111111111111111111111"; // 18 decimals, $10
const UNI = "0x2222222222222222222222222222222222222222"; // 18 decimals, $5

const DECIMALS: Record<string, number> = { [USDC]: 6, [WETH]: 18, [CBBTC]: 8, [LINK]: 18, [UNI]: 18 };
const SYMBOL: Record<string, string> = { [USDC]: "USDC", [WETH]: "WETH", [CBBTC]: "cbBTC", [LINK]: "LINK", [UNI]: "UNI" };
const PRICES: Record<string, bigint> = { [USDC]: usd(1), [WETH]: usd(2000), [CBBTC]: usd(50000), [LINK]: usd(10), [UNI]: usd(5) };
const HUBS = [USDC, WETH];

/** Every token against both hubs, plus WETH/cbBTC direct. */
const STANDARD_POOLS: Pool[] = [
  { tokenA: WETH, tokenB: USDC, fee: 500 },
  { tokenA: CBBTC, tokenB: USDC, fee: 500 },
  { tokenA: CBBTC, tokenB: WETH, fee: 500 },
  { tokenA: LINK, tokenB: USDC, fee: 3000 },
  { tokenA: LINK, tokenB: WETH, fee: 3000 },
  { tokenA: UNI, tokenB: USDC, fee: 3000 },
  { tokenA: UNI, tokenB: WETH, fee: 3000 },
];

const hold = (address: string, balance: bigint): Holding => ({
  address,
  symbol: SYMBOL[address]!,
  decimals: DECIMALS[address]!,
  balance,
});

function input(basket: Holding[], targets: Record<string, bigint>, over: Partial<PlanInput> = {}): PlanInput {
  return {
    basket,
    prices: PRICES,
    targets,
    pools: STANDARD_POOLS,
    hubs: HUBS,
    maxTradeUsd: usd(1_000_000),
    dustUsd: 0n,
    ...over,
  };
}

/** The fields a hand-worked trade is checked on. */
const shape = (t: Trade) => ({
  tokenIn: t.tokenIn,
  tokenOut: t.tokenOut,
  amountIn: t.amountIn,
  expectedAmountOut: t.expectedAmountOut,
  minAmountOut: t.minAmountOut,
  path: t.path,
  fees: t.fees,
  usdValue: t.usdValue,
});

describe("planner", function () {
  describe("#planTrades", function () {
    interface Case {
      name: string;
      input: PlanInput;
      trades: ReturnType<typeof shape>[];
      turnoverUsd: bigint;
    }
    const cases: Case[] = [
      {
        // NAV $20000: WETH 5 * 2000 = 10000, USDC 10000. Already 50/50.
        name: "returns no trades when the basket is at target",
        input: input([hold(WETH, 5n * E18), hold(USDC, 10_000n * 10n ** 6n)], { [WETH]: wad(50), [USDC]: wad(50) }),
        trades: [],
        turnoverUsd: 0n,
      },
      {
        // NAV = 10 WETH * 2000 + 0.2 BTC * 50000 = 20000 + 10000 = 30000; targets 15000 each.
        // Sell $5000 of WETH = 2.5 WETH; buys 5000 / 50000 = 0.1 cbBTC = 10_000_000 sats; min = 99%.
        name: "sells one over-weight token into one under-weight token through their direct pool",
        input: input([hold(WETH, 10n * E18), hold(CBBTC, 20_000_000n)], { [WETH]: wad(50), [CBBTC]: wad(50) }),
        trades: [
          {
            tokenIn: WETH,
            tokenOut: CBBTC,
            amountIn: 25n * 10n ** 17n,
            expectedAmountOut: 10_000_000n,
            minAmountOut: 9_900_000n,
            path: [WETH, CBBTC],
            fees: [500],
            usdValue: usd(5000),
          },
        ],
        turnoverUsd: usd(5000),
      },
      {
        // NAV = 1000 LINK * $10 = $10000; target 50/50: sell $5000 = 500 LINK for 1000 UNI ($5).
        // No LINK/UNI pool; USDC is the first hub with a pool to both.
        name: "routes through the first hub (USDC) when there is no direct pool",
        input: input([hold(LINK, 1000n * E18), hold(UNI, 0n)], { [LINK]: wad(50), [UNI]: wad(50) }),
        trades: [
          {
            tokenIn: LINK,
            tokenOut: UNI,
            amountIn: 500n * E18,
            expectedAmountOut: 1000n * E18,
            minAmountOut: 990n * E18,
            path: [LINK, USDC, UNI],
            fees: [3000, 3000],
            usdValue: usd(5000),
          },
        ],
        turnoverUsd: usd(5000),
      },
      {
        // Same as above but LINK and UNI only have WETH pools: the route falls through to WETH.
        name: "routes through WETH when USDC has no pool with one side",
        input: input([hold(LINK, 1000n * E18), hold(UNI, 0n)], { [LINK]: wad(50), [UNI]: wad(50) }, {
          pools: [
            { tokenA: LINK, tokenB: WETH, fee: 3000 },
            { tokenA: UNI, tokenB: WETH, fee: 10000 },
            { tokenA: UNI, tokenB: USDC, fee: 3000 },
          ],
        }),
        trades: [
          {
            tokenIn: LINK,
            tokenOut: UNI,
            amountIn: 500n * E18,
            expectedAmountOut: 1000n * E18,
            minAmountOut: 990n * E18,
            path: [LINK, WETH, UNI],
            fees: [3000, 10000],
            usdValue: usd(5000),
          },
        ],
        turnoverUsd: usd(5000),
      },
      {
        // LINK leaves the basket (absent from targets), priced at $7.77 so that no division is exact.
        // value = floor(123.456789012345678901 * 7.77) = $959.259250625925925060 (rounded down), which
        // buys back only floor(value / 7.77) = ...678900 LINK: one wei short of the balance. The exit
        // sells the whole balance anyway. USDC out = floor(balance * 7.77 * 1e6 / 1e18) = 959_259_250;
        // min = floor(959_259_250 * 0.99) = 949_666_657.
        name: "sells a token leaving the basket to exactly zero",
        input: input([hold(LINK, 123_456_789_012_345_678_901n), hold(USDC, 1_000n * 10n ** 6n)], { [USDC]: WAD }, {
          prices: { ...PRICES, [LINK]: 7_770_000_000_000_000_000n },
        }),
        trades: [
          {
            tokenIn: LINK,
            tokenOut: USDC,
            amountIn: 123_456_789_012_345_678_901n,
            expectedAmountOut: 959_259_250n,
            minAmountOut: 949_666_657n,
            path: [LINK, USDC],
            fees: [3000],
            usdValue: 959_259_250_625_925_925_060n,
          },
        ],
        turnoverUsd: 959_259_250_625_925_925_060n,
      },
      {
        // A new constituent: cbBTC held at 0. NAV = 2 WETH = $4000; 50/50: sell 1 WETH ($2000)
        // for 2000 / 50000 = 0.04 cbBTC = 4_000_000 sats.
        name: "buys in a target token that is not held",
        input: input([hold(WETH, 2n * E18), hold(CBBTC, 0n)], { [WETH]: wad(50), [CBBTC]: wad(50) }),
        trades: [
          {
            tokenIn: WETH,
            tokenOut: CBBTC,
            amountIn: E18,
            expectedAmountOut: 4_000_000n,
            minAmountOut: 3_960_000n,
            path: [WETH, CBBTC],
            fees: [500],
            usdValue: usd(2000),
          },
        ],
        turnoverUsd: usd(2000),
      },
      {
        // Decimals 6 / 8 / 18 together. NAV = 10000 USDC + 5 WETH ($10000) = $20000.
        // Targets 40/30/30: USDC 8000 (sell 2000), WETH 6000 (sell 4000), cbBTC 6000 (buy 6000).
        // Largest seller first: 2 WETH -> 0.08 cbBTC (8_000_000 sats); 2000 USDC -> 0.04 cbBTC.
        name: "mixes 6, 8 and 18 decimal tokens",
        input: input([hold(USDC, 10_000n * 10n ** 6n), hold(CBBTC, 0n), hold(WETH, 5n * E18)], {
          [USDC]: wad(40),
          [WETH]: wad(30),
          [CBBTC]: wad(30),
        }),
        trades: [
          {
            tokenIn: WETH,
            tokenOut: CBBTC,
            amountIn: 2n * E18,
            expectedAmountOut: 8_000_000n,
            minAmountOut: 7_920_000n,
            path: [WETH, CBBTC],
            fees: [500],
            usdValue: usd(4000),
          },
          {
            tokenIn: USDC,
            tokenOut: CBBTC,
            amountIn: 2000n * 10n ** 6n,
            expectedAmountOut: 4_000_000n,
            minAmountOut: 3_960_000n,
            path: [USDC, CBBTC],
            fees: [500],
            usdValue: usd(2000),
          },
        ],
        turnoverUsd: usd(6000),
      },
      {
        // NAV = 20 WETH = $40000, 50/50: sell $20000 = 10 WETH. Cap $10000 = 5 WETH: two equal chunks.
        name: "splits a leg into chunks when it is an exact multiple of the cap",
        input: input([hold(WETH, 20n * E18), hold(USDC, 0n)], { [WETH]: wad(50), [USDC]: wad(50) }, { maxTradeUsd: usd(10_000) }),
        trades: [0, 1].map(() => ({
          tokenIn: WETH,
          tokenOut: USDC,
          amountIn: 5n * E18,
          expectedAmountOut: 10_000n * 10n ** 6n,
          minAmountOut: 9_900n * 10n ** 6n,
          path: [WETH, USDC],
          fees: [500],
          usdValue: usd(10_000),
        })),
        turnoverUsd: usd(20_000),
      },
      {
        // WETH leaves: 25 WETH = $50000, cap $20000 = 10 WETH: chunks 10, 10, then the remainder 5.
        name: "splits a leg into cap-sized chunks and a remainder",
        input: input([hold(WETH, 25n * E18), hold(USDC, 0n)], { [USDC]: WAD }, { maxTradeUsd: usd(20_000) }),
        trades: [10n, 10n, 5n].map((weth) => ({
          tokenIn: WETH,
          tokenOut: USDC,
          amountIn: weth * E18,
          expectedAmountOut: weth * 2000n * 10n ** 6n,
          minAmountOut: (weth * 2000n * 10n ** 6n * 99n) / 100n,
          path: [WETH, USDC],
          fees: [500],
          usdValue: usd(weth * 2000n),
        })),
        turnoverUsd: usd(50_000),
      },
      {
        // WETH leaves: 10.00025 WETH = $20000.50, cap $10000 = 5 WETH, dust $1. The remainder
        // 0.00025 WETH ($0.50) is below dust, so it joins the second chunk and the pair is halved:
        // (5 + 0.00025) / 2 = 2.500125 WETH each ($5000.25 -> 5000.25 USDC).
        name: "merges a remainder below dust into the chunk before it",
        input: input([hold(WETH, 10_000_250_000_000_000_000n), hold(USDC, 0n)], { [USDC]: WAD }, {
          maxTradeUsd: usd(10_000),
          dustUsd: usd(1),
        }),
        trades: [5_000_000_000_000_000_000n, 2_500_125_000_000_000_000n, 2_500_125_000_000_000_000n].map((amountIn) => ({
          tokenIn: WETH,
          tokenOut: USDC,
          amountIn,
          expectedAmountOut: (amountIn * 2000n) / 10n ** 12n,
          minAmountOut: (((amountIn * 2000n) / 10n ** 12n) * 99n) / 100n,
          path: [WETH, USDC],
          fees: [500],
          usdValue: amountIn * 2000n,
        })),
        turnoverUsd: 20_000_500_000_000_000_000_000n,
      },
      {
        // Dust $1. NAV = $20000 + 20000 USDC + 0.05 LINK ($0.50) = $40000.50; targets 50/50/0 are
        // $20000.25 each. WETH and USDC are $0.25 under, LINK $0.50 over: all below dust, no trade.
        name: "skips positions whose difference from target is below dust",
        input: input([hold(WETH, 10n * E18), hold(USDC, 20_000n * 10n ** 6n), hold(LINK, 5n * 10n ** 16n)], {
          [WETH]: wad(50),
          [USDC]: wad(50),
        }, { dustUsd: usd(1) }),
        trades: [],
        turnoverUsd: 0n,
      },
      {
        // The same tiny LINK position with dust 0 is sold: 0.05 LINK -> 0.5 USDC -> split $0.25/$0.25
        // to WETH and USDC. USDC is the larger buyer by address tie-break? Both need $0.25: ties go
        // by address, 0x4200.. (WETH) < 0x8335.. (USDC), and LINK's pools are direct to both.
        name: "sells a tiny position when dust is zero",
        input: input([hold(WETH, 10n * E18), hold(USDC, 20_000n * 10n ** 6n), hold(LINK, 5n * 10n ** 16n)], {
          [WETH]: wad(50),
          [USDC]: wad(50),
        }),
        trades: [
          {
            tokenIn: LINK,
            tokenOut: WETH,
            amountIn: 25n * 10n ** 15n, // 0.025 LINK = $0.25
            expectedAmountOut: 125n * 10n ** 12n, // $0.25 / $2000 = 0.000125 WETH
            minAmountOut: (125n * 10n ** 12n * 99n) / 100n,
            path: [LINK, WETH],
            fees: [3000],
            usdValue: usd(1) / 4n,
          },
          {
            tokenIn: LINK,
            tokenOut: USDC,
            amountIn: 25n * 10n ** 15n,
            expectedAmountOut: 250_000n, // 0.25 USDC
            minAmountOut: 247_500n,
            path: [LINK, USDC],
            fees: [3000],
            usdValue: usd(1) / 4n,
          },
        ],
        turnoverUsd: usd(1) / 2n,
      },
    ];

    for (const c of cases) {
      it(c.name, function () {
        const plan = planTrades(c.input);
        expect(plan.trades.map(shape)).to.deep.equal(c.trades);
        expect(plan.summary.turnoverUsd).to.equal(c.turnoverUsd);
        expect(plan.summary.tradeCount).to.equal(c.trades.length);
      });
    }

    it("gives the sale to the buyers that are not dust when another shortfall is dust", function () {
      // NAV = 1.05 WETH ($2100) + 1400.5 USDC + 49.95 LINK ($499.50) = $4000. Targets 50/37.5/12.5 =
      // $2000 / $1500 / $500: WETH over by $100, USDC under by $99.50, LINK under by $0.50 (< $1 dust).
      // The $100 sold all goes to USDC (needs scaled up pro rata): 0.05 WETH -> 100 USDC.
      const plan = planTrades(input([hold(WETH, 105n * 10n ** 16n), hold(USDC, 1_400_500_000n), hold(LINK, 4995n * 10n ** 16n)], {
        [WETH]: wad(50),
        [USDC]: (WAD * 375n) / 1000n,
        [LINK]: (WAD * 125n) / 1000n,
      }, { dustUsd: usd(1) }));
      expect(plan.trades.map(shape)).to.deep.equal([
        {
          tokenIn: WETH,
          tokenOut: USDC,
          amountIn: 5n * 10n ** 16n,
          expectedAmountOut: 100_000_000n,
          minAmountOut: 99_000_000n,
          path: [WETH, USDC],
          fees: [500],
          usdValue: usd(100),
        },
      ]);
      expect(plan.summary.skippedDust).to.deep.equal([{ token: LINK, symbol: "LINK", deltaUsd: -(usd(1) / 2n) }]);
    });

    describe("with the window's sides (IRebalancer.Direction fixed at open)", function () {
      // NAV = 6 WETH ($12,000) + 8,000 USDC = $20,000; targets 50/50: WETH over by $2,000, USDC under by $2,000.
      const basket = [hold(WETH, 6n * E18), hold(USDC, 8_000_000_000n)];
      const targets = { [WETH]: wad(50), [USDC]: wad(50) };
      const oneWeth = { tokenIn: WETH, tokenOut: USDC, amountIn: E18, expectedAmountOut: 2_000_000_000n, minAmountOut: 1_980_000_000n, path: [WETH, USDC], fees: [500], usdValue: usd(2000) };

      it("plans the same trades when every side agrees with the deltas", function () {
        const plan = planTrades(input(basket, targets, { sides: { [WETH]: "sell", [USDC]: "buy" } }));
        expect(plan.trades.map(shape)).to.deep.equal([oneWeth]); // $2,000 = 1 WETH -> 2,000 USDC, min 1% less
        expect(plan.summary.skippedSide).to.deep.equal([]);
      });

      it("trades nothing the window forbids: an overshoot is not sold back", function () {
        // WETH was under-weight at open and was bought past its target; USDC the reverse.
        const plan = planTrades(input(basket, targets, { sides: { [WETH]: "buy", [USDC]: "sell" } }));
        expect(plan.trades).to.deep.equal([]);
        expect(plan.summary.turnoverUsd).to.equal(0n);
        expect(plan.summary.skippedSide).to.deep.equal([
          { token: WETH, symbol: "WETH", deltaUsd: usd(2000) },
          { token: USDC, symbol: "USDC", deltaUsd: -usd(2000) },
        ]);
      });

      it("sells only what the allowed buyers need when a buyer is forbidden (side none)", function () {
        // 6 WETH ($12,000), 4,000 USDC, 400 LINK ($4,000); targets 50/25/25 of $20,000: WETH +$2,000,
        // USDC -$1,000, LINK -$1,000 (side none). Only USDC buys: $1,000 = 0.5 WETH -> 1,000 USDC.
        const plan = planTrades(input([hold(WETH, 6n * E18), hold(USDC, 4_000_000_000n), hold(LINK, 400n * E18)], { [WETH]: wad(50), [USDC]: wad(25), [LINK]: wad(25) }, { sides: { [WETH]: "sell", [USDC]: "buy", [LINK]: "none" } }));
        expect(plan.trades.map(shape)).to.deep.equal([{ ...oneWeth, amountIn: E18 / 2n, expectedAmountOut: 1_000_000_000n, minAmountOut: 990_000_000n, usdValue: usd(1000) }]);
        expect(plan.summary.turnoverUsd).to.equal(usd(1000));
        expect(plan.summary.skippedSide).to.deep.equal([{ token: LINK, symbol: "LINK", deltaUsd: -usd(1000) }]);
      });

      it("does not sell a leaving token's whole balance when the buyers need less", function () {
        // 400 LINK ($4,000, target 0), 2 WETH ($4,000), 2,000 USDC; targets WETH 50, USDC 50 of $10,000:
        // LINK +$4,000, WETH -$1,000, USDC -$3,000 (side none). $1,000 = 100 LINK -> 0.5 WETH (direct pool).
        const plan = planTrades(input([hold(LINK, 400n * E18), hold(WETH, 2n * E18), hold(USDC, 2_000_000_000n)], { [WETH]: wad(50), [USDC]: wad(50) }, { sides: { [LINK]: "sell", [WETH]: "buy", [USDC]: "none" } }));
        expect(plan.trades.map(shape)).to.deep.equal([
          { tokenIn: LINK, tokenOut: WETH, amountIn: 100n * E18, expectedAmountOut: E18 / 2n, minAmountOut: (E18 / 2n) * 99n / 100n, path: [LINK, WETH], fees: [3000], usdValue: usd(1000) },
        ]);
      });

      it("still sells a leaving token's whole balance when every buyer is allowed (target rounding is not an excess)", function () {
        // 400 LINK ($4,000, target 0), 1 WETH ($2,000), 1,000.000001 USDC, 0 UNI; targets thirds of $7,000.000001, each
        // rounded down to the wei, so sells exceed needs by a few wei: that alone must not stop the sweep.
        const third = WAD / 3n;
        const plan = planTrades(
          input([hold(LINK, 400n * E18), hold(WETH, E18), hold(USDC, 1_000_000_001n), hold(UNI, 0n)], { [WETH]: third + 1n, [USDC]: third, [UNI]: third }, {
            sides: { [LINK]: "sell", [WETH]: "buy", [USDC]: "buy", [UNI]: "buy" },
          }),
        );
        const soldLink = plan.trades.filter((t) => t.tokenIn === LINK).reduce((a, t) => a + t.amountIn, 0n);
        expect(soldLink).to.equal(400n * E18);
        expect(plan.trades.every((t) => t.tokenIn === LINK)).to.equal(true);
      });

      it("throws InputError for an unknown side", function () {
        expect(() => planTrades(input(basket, targets, { sides: { [WETH]: "up" as never } }))).to.throw(InputError, /side of/);
      });
    });

    it("prefers a direct pool over a hub when both exist", function () {
      // WETH/cbBTC has a direct pool and both have USDC pools.
      const plan = planTrades(input([hold(WETH, 10n * E18), hold(CBBTC, 0n)], { [WETH]: wad(50), [CBBTC]: wad(50) }));
      expect(plan.trades.map((t) => t.path)).to.deep.equal([[WETH, CBBTC]]);
    });

    it("folds a matched leg below dust into the seller's largest leg", function () {
      // Sellers LINK $5000.50 and UNI $4999.50, buyers WETH $5000 and cbBTC $5000, all pooled directly.
      // Greedy: LINK→WETH 5000, LINK→cbBTC 0.50 (< $1 dust), UNI→cbBTC 4999.50. The $0.50 leg joins
      // LINK→WETH: two trades, and LINK still sells exactly its $5000.50 excess.
      const pools: Pool[] = [
        { tokenA: LINK, tokenB: WETH, fee: 3000 },
        { tokenA: LINK, tokenB: CBBTC, fee: 3000 },
        { tokenA: UNI, tokenB: WETH, fee: 3000 },
        { tokenA: UNI, tokenB: CBBTC, fee: 3000 },
      ];
      const basket = [
        hold(LINK, 100_005n * 10n ** 16n), // 1000.05 LINK = $10000.50
        hold(UNI, 199_990n * 10n ** 16n), // 1999.90 UNI = $9999.50
        hold(WETH, 0n),
        hold(CBBTC, 0n),
      ];
      // NAV $20000; targets 25% each = $5000: LINK over by 5000.50, UNI over by 4999.50.
      const plan = planTrades(input(basket, { [LINK]: wad(25), [UNI]: wad(25), [WETH]: wad(25), [CBBTC]: wad(25) }, {
        pools,
        dustUsd: usd(1),
      }));
      expect(plan.trades.map((t) => [t.tokenIn, t.tokenOut, t.usdValue])).to.deep.equal([
        [LINK, WETH, 5_000_500_000_000_000_000_000n],
        [UNI, CBBTC, 4_999_500_000_000_000_000_000n],
      ]);
      expect(plan.summary.turnoverUsd).to.equal(usd(10_000));
    });

    it("never sells more than a balance and balances USD sold against USD bought (awkward amounts)", function () {
      // Thirds of a NAV made of odd balances at odd prices: every division rounds.
      const prices: Record<string, bigint> = { [USDC]: 999_870_000_000_000_000n, [WETH]: 3_141_592_653_589_793_238_462n, [CBBTC]: 67_890_123_456_789_012_345_678n };
      const basket = [hold(USDC, 12_345_678_901n), hold(WETH, 7_777_777_777_777_777_777n), hold(CBBTC, 3_333_333n)];
      const third = WAD / 3n;
      const plan = planTrades(input(basket, { [USDC]: third + 1n, [WETH]: third, [CBBTC]: third }, { prices, maxTradeUsd: usd(3000) }));
      expect(plan.trades.length).to.be.greaterThan(2);
      for (const h of basket) {
        const sold = plan.trades.filter((t) => t.tokenIn === h.address).reduce((s, t) => s + t.amountIn, 0n);
        expect(sold <= h.balance, `${h.symbol} sold ${sold} > ${h.balance}`).to.equal(true);
      }
      const inUsd = plan.trades.reduce((s, t) => s + t.usdValue, 0n);
      const outUsd = plan.trades.reduce((s, t) => {
        const dec = DECIMALS[t.tokenOut]!;
        return s + (t.expectedAmountOut * prices[t.tokenOut]!) / 10n ** BigInt(dec);
      }, 0n);
      // Each trade loses under one base unit of its output and one wei of USD to rounding down:
      // the most valuable base unit here is 1 sat of cbBTC ($0.000679).
      const perTrade = prices[CBBTC]! / 10n ** 8n + 2n;
      expect(inUsd - outUsd >= 0n && inUsd - outUsd <= perTrade * BigInt(plan.trades.length)).to.equal(true);
      // What is sold vs the plan's turnover: each seller's token amount is rounded down (under one
      // base unit of it) and each chunk's USD value is rounded down (under one wei).
      const unitUsd = (a: string) => prices[a]! / 10n ** BigInt(DECIMALS[a]!) + 1n;
      const sellers = [...new Set(plan.trades.map((t) => t.tokenIn))];
      const tol = sellers.reduce((a, s) => a + unitUsd(s), 0n) + BigInt(plan.trades.length);
      expect(abs(plan.summary.turnoverUsd - inUsd) <= tol).to.equal(true);
      for (const t of plan.trades) {
        expect(t.usdValue <= usd(3000)).to.equal(true);
        expect(t.minAmountOut <= t.expectedAmountOut).to.equal(true);
      }
    });

    it("uses the first listed pool when a pair has several fee tiers", function () {
      const pools: Pool[] = [
        { tokenA: WETH, tokenB: USDC, fee: 3000 },
        { tokenA: USDC, tokenB: WETH, fee: 500 },
      ];
      const plan = planTrades(input([hold(WETH, 2n * E18), hold(USDC, 0n)], { [USDC]: WAD }, { pools }));
      expect(plan.trades.map((t) => t.fees)).to.deep.equal([[3000]]);
    });

    it("applies a custom maximum slippage, rounding the minimum down", function () {
      // 1 WETH -> 2000 USDC exactly; 37 bps: 2000e6 * 9963 / 10000 = 1_992_600_000.
      const plan = planTrades(input([hold(WETH, E18), hold(USDC, 0n)], { [USDC]: WAD }, { maxSlippageBps: 37 }));
      expect(plan.trades[0]!.minAmountOut).to.equal(1_992_600_000n);
      // 1 wei of rounding: 333 USDC base units at 1 bp -> floor(333 * 9999 / 10000) = 332.
      const tiny = planTrades(input([hold(USDC, 333n), hold(WETH, 0n)], { [WETH]: WAD }, { maxSlippageBps: 1, prices: { [USDC]: usd(1), [WETH]: usd(1) } }));
      expect(tiny.trades[0]!.expectedAmountOut).to.equal(333n * 10n ** 12n);
      expect(tiny.trades[0]!.minAmountOut).to.equal((333n * 10n ** 12n * 9999n) / 10000n);
    });

    it("reports expected post-trade weights at the targets", function () {
      const plan = planTrades(input([hold(USDC, 10_000n * 10n ** 6n), hold(CBBTC, 0n), hold(WETH, 5n * E18)], {
        [USDC]: wad(40),
        [WETH]: wad(30),
        [CBBTC]: wad(30),
      }));
      expect(plan.summary.expectedWeights).to.deep.equal({
        [USDC.toLowerCase()]: wad(40),
        [CBBTC.toLowerCase()]: wad(30),
        [WETH.toLowerCase()]: wad(30),
      });
      expect(plan.summary.currentWeights[WETH.toLowerCase()]).to.equal(wad(50));
      expect(plan.summary.navUsd).to.equal(usd(20_000));
    });

    describe("errors", function () {
      const basket = [hold(WETH, E18), hold(USDC, 0n)];
      const errorCases: { name: string; run: () => unknown; type: typeof InputError | typeof MethodologyError; message: RegExp }[] = [
        {
          name: "throws InputError when the weights do not sum to 1e18",
          run: () => planTrades(input(basket, { [WETH]: wad(50), [USDC]: wad(50) - 1n })),
          type: InputError,
          message: /sum to 999999999999999999, not 1e18/,
        },
        {
          name: "throws InputError naming a token with no price",
          run: () => planTrades(input(basket, { [USDC]: WAD }, { prices: { [WETH]: usd(2000) } })),
          type: InputError,
          message: /missing price for USDC/,
        },
        {
          name: "throws InputError on a zero price",
          run: () => planTrades(input(basket, { [USDC]: WAD }, { prices: { ...PRICES, [WETH]: 0n } })),
          type: InputError,
          message: /non-positive price 0 for WETH/,
        },
        {
          name: "throws InputError on a negative price",
          run: () => planTrades(input(basket, { [USDC]: WAD }, { prices: { ...PRICES, [USDC]: -1n } })),
          type: InputError,
          message: /non-positive price -1 for USDC/,
        },
        {
          name: "throws InputError when a target token is not in the basket",
          run: () => planTrades(input(basket, { [CBBTC]: WAD })),
          type: InputError,
          message: /target token 0xcbB7.* is not in the basket/,
        },
        {
          name: "throws MethodologyError when two tokens that must trade have no route",
          run: () => planTrades(input([hold(LINK, 10n * E18), hold(UNI, 0n)], { [UNI]: WAD }, { pools: [{ tokenA: LINK, tokenB: USDC, fee: 3000 }, { tokenA: UNI, tokenB: WETH, fee: 3000 }] })),
          type: MethodologyError,
          message: /no route from LINK .* to UNI/,
        },
        {
          name: "throws InputError when dust is above half the cap",
          run: () => planTrades(input(basket, { [USDC]: WAD }, { maxTradeUsd: usd(10), dustUsd: usd(6) })),
          type: InputError,
          message: /dustUsd/,
        },
        {
          name: "throws InputError when the cap is below one base unit of a seller",
          run: () => planTrades(input([hold(CBBTC, 10n), hold(USDC, 0n)], { [USDC]: WAD }, { maxTradeUsd: 1n })),
          type: InputError,
          message: /below the value of one base unit of cbBTC/,
        },
      ];
      for (const c of errorCases) {
        it(c.name, function () {
          expect(c.run).to.throw(c.type, c.message);
        });
      }
    });
  });

  describe("#chunk", function () {
    const never = () => false;
    const cases: [string, bigint, bigint, (u: bigint) => boolean, bigint[]][] = [
      ["returns one chunk at or below the cap", 10n, 10n, never, [10n]],
      ["returns equal chunks for an exact multiple", 30n, 10n, never, [10n, 10n, 10n]],
      ["appends the remainder", 25n, 10n, never, [10n, 10n, 5n]],
      ["halves the last chunk and a dust remainder (first half rounded down)", 21n, 10n, (u) => u < 2n, [10n, 5n, 6n]],
    ];
    for (const [name, amount, cap, isDust, expected] of cases) {
      it(name, function () {
        expect(chunk(amount, cap, isDust)).to.deep.equal(expected);
      });
    }
  });

  describe("#encodeV3Path", function () {
    it("packs token, uint24 fee, hub, fee, token", function () {
      expect(encodeV3Path([LINK, USDC, UNI], [3000, 500])).to.equal(
        "0x" + "11".repeat(20) + "000bb8" + USDC.slice(2).toLowerCase() + "0001f4" + "22".repeat(20),
      );
    });
    it("throws InputError when fees do not match the hops", function () {
      expect(() => encodeV3Path([LINK, UNI], [])).to.throw(InputError, /needs 1 fees/);
    });
  });

  describe("property", function () {
    /**
     * The random book both properties start from: token i at address 0x..(i+1), holding `valueUsd`
     * whole dollars at `price`, with targets pro rata to `weight` (rounded down, the residual to the
     * first weighted token so they sum to exactly 1e18).
     */
    function randomBook(specs: readonly { decimals: number; price: bigint; valueUsd: number; weight: number }[]) {
      const addr = (i: number) => "0x" + (i + 1).toString(16).padStart(40, "0");
      const basket: Holding[] = specs.map((s, i) => ({
        address: addr(i),
        symbol: `T${i}`,
        decimals: s.decimals,
        balance: (usd(s.valueUsd) * 10n ** BigInt(s.decimals)) / s.price,
      }));
      const prices = Object.fromEntries(specs.map((s, i) => [addr(i), s.price]));
      const weightSum = BigInt(specs.reduce((a, s) => a + s.weight, 0));
      const targets: Record<string, bigint> = {};
      let assigned = 0n;
      specs.forEach((s, i) => {
        targets[addr(i)] = (BigInt(s.weight) * WAD) / weightSum;
        assigned += targets[addr(i)]!;
      });
      targets[addr(specs.findIndex((s) => s.weight > 0))]! += WAD - assigned;
      return { addr, basket, prices, targets };
    }

    it("lands every weight near its target with turnover = half the L1 distance times NAV", function () {
      const tokenArb = fc.record({
        decimals: fc.constantFrom(6, 8, 18),
        price: fc.bigInt({ min: 10n ** 14n, max: 10n ** 23n }), // $0.0001 .. $100000
        valueUsd: fc.integer({ min: 0, max: 1_000_000 }), // whole dollars held
        weight: fc.integer({ min: 0, max: 100 }),
        directToNext: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(tokenArb, { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 20 }), (specs, capTwentieths) => {
          fc.pre(specs.some((s) => s.weight > 0) && specs.reduce((a, s) => a + s.valueUsd, 0) >= 100_000);
          const { addr, basket, prices, targets } = randomBook(specs);
          const hub = "0x" + "ff".repeat(20);
          const pools: Pool[] = [
            ...specs.map((_, i) => ({ tokenA: addr(i), tokenB: hub, fee: 500 })),
            ...specs.flatMap((s, i) => (s.directToNext && i + 1 < specs.length ? [{ tokenA: addr(i), tokenB: addr(i + 1), fee: 3000 }] : [])),
          ];
          const values = basket.map((h, i) => (h.balance * specs[i]!.price) / 10n ** BigInt(h.decimals));
          const nav = values.reduce((a, v) => a + v, 0n);
          const cap = (nav * BigInt(capTwentieths)) / 20n + 1n;

          const plan = planTrades({ basket, prices, targets, pools, hubs: [hub], maxTradeUsd: cap, dustUsd: 0n });

          // Turnover = half the L1 distance between current and target weights, times NAV:
          // sum |v_i * 1e18 - NAV * w_i| / (2 * 1e18), up to one wei per token of target rounding.
          const l1Scaled = basket.reduce((a, h, i) => a + abs(values[i]! * WAD - nav * targets[h.address]!), 0n);
          const halfL1Usd = l1Scaled / (2n * WAD);
          expect(abs(plan.summary.turnoverUsd - halfL1Usd) <= BigInt(specs.length)).to.equal(true);

          // Rounding bound: each trade loses < 1 base unit of its output, each seller < 1 of its input.
          const unitUsd = specs.reduce((m, s) => max(m, s.price / 10n ** BigInt(s.decimals) + 1n), 0n);
          const tolUsd = unitUsd * BigInt(2 * plan.trades.length + 2 * specs.length) + BigInt(2 * specs.length);
          for (const t of plan.trades) {
            expect(t.usdValue <= cap, "chunk above cap").to.equal(true);
            expect(t.path.length === 2 || t.path[1] === hub).to.equal(true);
          }
          expect(abs(plan.summary.tradedUsd - plan.summary.turnoverUsd) <= tolUsd).to.equal(true);

          const after = applyTrades(basket, plan.trades); // throws if any trade oversells
          const navAfter = after.reduce((a, h) => a + (h.balance * prices[h.address]!) / 10n ** BigInt(h.decimals), 0n);
          const tolWad = (tolUsd * WAD) / navAfter + 2n;
          expect(tolWad < WAD / 1000n, `tolerance ${tolWad} too loose to mean anything`).to.equal(true);
          for (const h of after) {
            const w = ((h.balance * prices[h.address]!) / 10n ** BigInt(h.decimals)) * WAD / navAfter;
            expect(abs(w - targets[h.address]!) <= tolWad, `${h.symbol}: ${w} vs ${targets[h.address]} (tol ${tolWad})`).to.equal(true);
            expect(plan.summary.expectedWeights[h.address]).to.equal(w);
          }
        }),
        { numRuns: 300 },
      );
    });

    it("with a dust threshold: sells leaving tokens to zero, plans no trade far below dust, lands within dust of target", function () {
      const tokenArb = fc.record({
        decimals: fc.constantFrom(6, 8, 18),
        price: fc.bigInt({ min: 10n ** 16n, max: 10n ** 23n }), // $0.01 .. $100000
        valueUsd: fc.integer({ min: 0, max: 100_000 }),
        weight: fc.integer({ min: 0, max: 20 }),
      });
      fc.assert(
        fc.property(fc.array(tokenArb, { minLength: 2, maxLength: 7 }), fc.integer({ min: 1, max: 500 }), (specs, dustDollars) => {
          fc.pre(specs.some((s) => s.weight > 0) && specs.reduce((a, s) => a + s.valueUsd, 0) >= 10_000);
          const { addr, basket, prices, targets } = randomBook(specs);
          const hub = "0x" + "ee".repeat(20);
          const pools: Pool[] = specs.map((_, i) => ({ tokenA: addr(i), tokenB: hub, fee: 3000 }));
          const dust = usd(dustDollars);
          const cap = usd(5000);

          const plan = planTrades({ basket, prices, targets, pools, hubs: [hub], maxTradeUsd: cap, dustUsd: dust });

          const unitUsd = specs.reduce((m, s) => max(m, s.price / 10n ** BigInt(s.decimals) + 1n), 0n);
          for (const t of plan.trades) {
            expect(t.usdValue <= cap).to.equal(true);
            // A trade is planned at >= dust; its amount rounded down to base units may lose one unit.
            expect(t.usdValue + 2n * unitUsd >= dust, `trade of ${t.usdValue} below dust ${dust}`).to.equal(true);
          }
          const after = applyTrades(basket, plan.trades);
          const values = basket.map((h, i) => (h.balance * specs[i]!.price) / 10n ** BigInt(h.decimals));
          const nav = values.reduce((a, v) => a + v, 0n);
          for (const [i, h] of after.entries()) {
            const leaving = targets[h.address] === 0n;
            // (With no trades at all every shortfall was dust, so nothing could be sold: see planTrades.)
            if (leaving && values[i]! >= dust && plan.trades.length > 0) expect(h.balance, `${h.symbol} not sold to zero`).to.equal(0n);
            // Off target by at most: its own dust, its share of others' skipped dust and folded legs
            // (each < dust), and base-unit rounding.
            const post = (h.balance * prices[h.address]!) / 10n ** BigInt(h.decimals);
            const target = (nav * targets[h.address]!) / WAD;
            const tol = dust * BigInt(2 * specs.length) + unitUsd * BigInt(2 * plan.trades.length + 2 * specs.length);
            expect(abs(post - target) <= tol, `${h.symbol}: ${post} vs ${target}`).to.equal(true);
          }
          // Turnover: exactly the over-weights that are not dust.
          const overweights = basket.reduce((a, h, i) => {
            const d = values[i]! - (nav * targets[h.address]!) / WAD;
            return d >= dust && d > 0n ? a + d : a;
          }, 0n);
          expect(plan.summary.turnoverUsd === overweights || plan.trades.length === 0).to.equal(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

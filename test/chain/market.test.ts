import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  amountForUsd, DEFAULT_SYMBOLS, deployMarket, encodePath, FEE_HUB_HUB, FEE_TOKEN_HUB, isqrt, listPools, poolContract,
  readMarket, refreshFeeds, SAMPLE_PRICES_USD, sqrtPriceX96, toAnswer, tokenForAsset, TOKEN_DECIMALS,
  uniswapContracts, type MarketAddresses,
} from "../../chain/market";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";

const Q96 = 2n ** 96n;

describe("chain/market", function () {
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "market-test-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  describe("#isqrt", function () {
    it("returns floor(sqrt(n)) for any n < 2^256 (property)", function () {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (n) => {
          const r = isqrt(n);
          return r * r <= n && (r + 1n) * (r + 1n) > n;
        }),
        { numRuns: 2000 },
      );
    });
    it("throws on a negative number", function () {
      expect(() => isqrt(-1n)).to.throw(RangeError);
    });
  });

  describe("#sqrtPriceX96", function () {
    it("returns exactly 2^96 for equal prices and decimals", function () {
      expect(sqrtPriceX96(123_00000000n, 18, 123_00000000n, 18)).to.equal(Q96);
    });
    it("returns 2^96 * 10^-6 for a $1 18-decimal token0 against USDC (6 decimals) as token1", function () {
      // one base unit of token0 = 1e-18 USD = 1e-12 USDC base units: sqrt = 1e-6
      expect(sqrtPriceX96(1_00000000n, 18, 1_00000000n, 6)).to.equal(Q96 / 10n ** 6n);
    });
    it("matches a floating-point reference within 1e-12 relative (property)", function () {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1e15 }), fc.integer({ min: 1, max: 1e15 }),
          fc.constantFrom(6, 8, 18), fc.constantFrom(6, 8, 18),
          (a0, a1, d0, d1) => {
            const got = Number(sqrtPriceX96(BigInt(a0), d0, BigInt(a1), d1)) / 2 ** 96;
            const want = Math.sqrt((a0 / a1) * 10 ** (d1 - d0));
            return Math.abs(got / want - 1) < 1e-12;
          },
        ),
      );
    });
  });

  describe("#toAnswer", function () {
    const cases: Array<[number | bigint, bigint]> = [[1, 100000000n], [95_000, 9500000000000n], [0.0000015, 150n], [2.2, 220000000n], [7n, 7n]];
    for (const [p, want] of cases) it(`returns ${want} for ${p}`, () => expect(toAnswer(p)).to.equal(want));
    for (const bad of [0, -1, Number.NaN, 1e-9, 0n]) {
      it(`throws for ${typeof bad} ${bad}`, () => expect(() => toAnswer(bad)).to.throw(RangeError));
    }
  });

  describe("#amountForUsd", function () {
    it("returns base units rounded down", function () {
      expect(amountForUsd(100_000n, toAnswer(95_000), 8)).to.equal(105263157n); // 1.05263157.. BTC
      expect(amountForUsd(1n, toAnswer(1), 6)).to.equal(1_000_000n);
    });
  });

  describe("#encodePath", function () {
    it("packs token | fee | token as 20 + 3 + 20 bytes", function () {
      const a = "0x" + "11".repeat(20);
      const b = "0x" + "22".repeat(20);
      expect(encodePath([a, b], [3000])).to.equal("0x" + "11".repeat(20) + "000bb8" + "22".repeat(20));
      expect(ethers.dataLength(encodePath([a, b, a], [500, 3000]))).to.equal(66);
    });
    it("throws when the fee count is not tokens - 1", function () {
      expect(() => encodePath(["0x" + "11".repeat(20)], [])).to.throw(RangeError);
    });
  });

  describe("#tokenForAsset", function () {
    const t = (address: string) => ({ address, decimals: 18, feed: address, feedDecimals: 8, heartbeat: 1 });
    it("maps BTC to cbBTC/CBBTC/WBTC and ETH to WETH, case-insensitively", function () {
      expect(tokenForAsset({ tokens: { cbBTC: t("0x1") } }, "BTC")?.address).to.equal("0x1");
      expect(tokenForAsset({ tokens: { CBBTC: t("0x2") } }, "BTC")?.address).to.equal("0x2");
      expect(tokenForAsset({ tokens: { WBTC: t("0x3") } }, "BTC")?.address).to.equal("0x3");
      expect(tokenForAsset({ tokens: { WETH: t("0x4") } }, "eth")?.address).to.equal("0x4");
      expect(tokenForAsset({ tokens: { LINK: t("0x5") } }, "link")?.address).to.equal("0x5");
      expect(tokenForAsset({ tokens: { LINK: t("0x5") } }, "UNI")).to.equal(undefined);
    });
  });

  describe("#deployMarket", function () {
    let deployMs = 0;
    async function full() {
      const [deployer] = await ethers.getSigners();
      const outFile = path.join(tmp, "sub", "localhost.json");
      const t = Date.now();
      const market = await deployMarket(deployer, { outFile });
      deployMs = Date.now() - t;
      const pools = await listPools(ethers.provider, market, [FEE_HUB_HUB, FEE_TOKEN_HUB]);
      return { market, pools, outFile, deployer };
    }

    it("deploys the default symbols plus USDC, every token with its decimals and an 8-decimal feed at the sample price", async function () {
      const { market, pools } = await loadFixture(full);
      console.log(`      default market: ${Object.keys(market.tokens).length} tokens, ${pools.length} pools in ${deployMs} ms`);
      expect(Object.keys(market.tokens).sort()).to.deep.equal([...new Set(["USDC", ...DEFAULT_SYMBOLS])].sort());
      for (const [sym, t] of Object.entries(market.tokens)) {
        const token = MockERC20__factory.connect(t.address, ethers.provider);
        expect(await token.symbol()).to.equal(sym);
        expect(Number(await token.decimals())).to.equal(t.decimals).and.to.equal(TOKEN_DECIMALS[sym] ?? 18);
        const feed = MockAggregator__factory.connect(t.feed, ethers.provider);
        expect(Number(await feed.decimals())).to.equal(8).and.to.equal(t.feedDecimals);
        const [, answer] = await feed.latestRoundData();
        expect(answer).to.equal(toAnswer(SAMPLE_PRICES_USD[sym]));
      }
      expect(market.tokens.cbBTC.decimals).to.equal(8);
      expect(market.tokens.USDC.decimals).to.equal(6);
      expect(market.hubs).to.deep.equal(["USDC", "WETH"]);
      expect(market.uniswap.routerKind).to.equal("SwapRouter");
    });

    it("seeds a pool against USDC and WETH for every token (USDC/WETH at 0.05%) priced at the feeds", async function () {
      const { market, pools } = await loadFixture(full);
      const { factory } = uniswapContracts(market, ethers.provider);
      const bySym = Object.fromEntries(Object.entries(market.tokens).map(([s, t]) => [t.address, s]));
      const others = Object.keys(market.tokens).filter((s) => s !== "USDC" && s !== "WETH");
      expect(pools).to.have.length(2 * others.length + 1);
      const expectPool = async (a: string, b: string, fee: number) => {
        const p = await factory.getPool(market.tokens[a].address, market.tokens[b].address, fee);
        expect(p, `${a}/${b}/${fee}`).to.not.equal(ethers.ZeroAddress);
        const pool = poolContract(p, ethers.provider);
        const [sqrtP] = await pool.slot0();
        expect(await pool.liquidity()).to.be.gt(0n);
        const s0 = bySym[await pool.token0()];
        const s1 = bySym[await pool.token1()];
        expect(BigInt(market.tokens[s0].address)).to.be.lt(BigInt(market.tokens[s1].address));
        // Independent float reference: USD price ratio scaled by the decimals difference.
        const want = (SAMPLE_PRICES_USD[s0] / SAMPLE_PRICES_USD[s1]) * 10 ** (market.tokens[s1].decimals - market.tokens[s0].decimals);
        const got = (Number(sqrtP) / 2 ** 96) ** 2;
        expect(Math.abs(got / want - 1), `${s0}/${s1} pool price`).to.be.lt(1e-9);
      };
      await expectPool("USDC", "WETH", FEE_HUB_HUB);
      for (const s of others) {
        await expectPool(s, "USDC", FEE_TOKEN_HUB);
        await expectPool(s, "WETH", FEE_TOKEN_HUB);
      }
    });

    it("is deep enough that a $100k trade moves any pool's price by less than 0.5% either way", async function () {
      const { market, pools } = await loadFixture(full);
      const { quoter } = uniswapContracts(market, ethers.provider);
      const bySym = Object.fromEntries(Object.entries(market.tokens).map(([s, t]) => [t.address.toLowerCase(), s]));
      for (const p of pools) {
        for (const [tin, tout] of [[p.tokenA, p.tokenB], [p.tokenB, p.tokenA]]) {
          const t = market.tokens[bySym[tin.toLowerCase()]];
          const [, answer] = await MockAggregator__factory.connect(t.feed, ethers.provider).latestRoundData();
          const amountIn = amountForUsd(100_000n, answer, t.decimals);
          const [sqrtBefore] = await poolContract(p.address, ethers.provider).slot0();
          const [, sqrtAfter] = await quoter.quoteExactInputSingle.staticCall({ tokenIn: tin, tokenOut: tout, amountIn, fee: p.fee, sqrtPriceLimitX96: 0n });
          const move = Math.abs((Number(sqrtAfter) / Number(sqrtBefore)) ** 2 - 1);
          expect(move, `${bySym[tin.toLowerCase()]} -> ${bySym[tout.toLowerCase()]}`).to.be.lt(0.005);
        }
      }
    });

    it("writes the addresses file that readMarket reads back", async function () {
      const { market, outFile } = await loadFixture(full);
      const back: MarketAddresses = readMarket(outFile);
      expect(back).to.deep.equal(JSON.parse(JSON.stringify(market)));
      expect(back.chainId).to.equal(31337);
      expect(Object.keys(back).sort()).to.deep.equal(["chainId", "hubs", "network", "tokens", "uniswap"]);
      expect(Object.keys(back.uniswap).sort()).to.deep.equal(["factory", "positionManager", "quoter", "router", "routerKind"]);
    });

    it("deploys only the symbols asked (aliases BTC -> cbBTC, ETH -> WETH) at the prices given", async function () {
      const [deployer] = await ethers.getSigners();
      const market = await deployMarket(deployer, { symbols: ["BTC", "ETH", "SOL"], prices: { SOL: 123.45, cbBTC: 5000000000000n } });
      expect(Object.keys(market.tokens).sort()).to.deep.equal(["SOL", "USDC", "WETH", "cbBTC"]);
      expect(await listPools(ethers.provider, market)).to.have.length(5);
      const [, sol] = await MockAggregator__factory.connect(market.tokens.SOL.feed, ethers.provider).latestRoundData();
      expect(sol).to.equal(12345000000n);
      const [, btc] = await MockAggregator__factory.connect(market.tokens.cbBTC.feed, ethers.provider).latestRoundData();
      expect(btc).to.equal(5000000000000n);
    });

    it("throws naming the symbol when a symbol has no price", async function () {
      const [deployer] = await ethers.getSigners();
      await expect(deployMarket(deployer, { symbols: ["NOPE"] })).to.be.rejectedWith(/no price for NOPE/);
    });
  });

  describe("#readMarket", function () {
    const write = (obj: unknown) => {
      const f = path.join(fs.mkdtempSync(path.join(tmp, "read-")), "m.json");
      fs.writeFileSync(f, JSON.stringify(obj));
      return f;
    };
    const tokens = { USDC: { address: "0x1", decimals: 6, feed: "0x2", feedDecimals: 8, heartbeat: 1 } };
    const uniswap = { factory: "0x3", router: "0x4", quoter: "0x5", positionManager: "0x6" };
    it("throws naming the missing keys", function () {
      expect(() => readMarket(write({ chainId: 1, tokens }))).to.throw(/missing uniswap, hubs/);
    });
    it("throws when hubs is not a list of token symbols", function () {
      expect(() => readMarket(write({ chainId: 1, tokens, uniswap, hubs: { USDC: "0x1" } }))).to.throw(/hubs must list symbols/);
      expect(() => readMarket(write({ chainId: 1, tokens, uniswap, hubs: ["USDC", "WETH"] }))).to.throw(/unknown: WETH/);
    });
    it("reads deployments/base-mainnet.json (the real-chain file) when it is there", function () {
      const file = path.resolve(__dirname, "../../deployments/base-mainnet.json");
      if (!fs.existsSync(file)) {
        console.log("      deployments/base-mainnet.json is not in this tree: skipped");
        this.skip();
      }
      const m = readMarket(file);
      expect(m.chainId).to.equal(8453);
      expect(m.uniswap.routerKind).to.equal("SwapRouter02");
      expect(tokenForAsset(m, "BTC")?.decimals).to.equal(8);
      expect(tokenForAsset(m, "ETH")?.address).to.equal(m.tokens.WETH.address);
    });
  });

  describe("#refreshFeeds", function () {
    it("re-stamps every feed with its latest answer, or the price given", async function () {
      const [deployer] = await ethers.getSigners();
      const market = await deployMarket(deployer, { symbols: ["LINK"] });
      await ethers.provider.send("evm_increaseTime", [100_000]);
      await refreshFeeds(deployer, market, { LINK: 21 });
      const now = (await ethers.provider.getBlock("latest"))!.timestamp;
      const link = await MockAggregator__factory.connect(market.tokens.LINK.feed, ethers.provider).latestRoundData();
      const usdc = await MockAggregator__factory.connect(market.tokens.USDC.feed, ethers.provider).latestRoundData();
      expect(link[1]).to.equal(2100000000n);
      expect(usdc[1]).to.equal(100000000n);
      expect(Number(usdc[3])).to.be.gte(now - 5);
    });
  });
});

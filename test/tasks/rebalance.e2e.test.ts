/**
 * Two month-ends of SAMPLE data through the whole keeper path (issue 3), on the in-process network:
 *
 * Month 1 (sample/universe.json): ssi:deploy --sample-market (the Uniswap V3 market at month-1 prices,
 * the protocol, the Rebalancers), ssi:push-weights (signed 2-of-3), index:faucet + index:mint, and
 * ssi:rebalance for round 1 (nothing to trade: the mint is at the targets; the window opens and closes).
 *
 * Month 2 (sample/universe-next.json): 31 days pass; MARKET PRICES MOVE to the file's month-2 prices:
 * every mock feed is updated and every Uniswap pool is arbitraged to the feed-implied price
 * (chain/market-move.ts; USDC stays at $1). The weights change, the rank buffer keeps MAG7's ADA
 * at rank N+1 and admits MEME's BRETT at rank N-B (FARTCOIN leaves), the report is signed and pushed,
 * ssi:rebalance executes on the pools, and the basket's weights are checked BY HAND here (balances x
 * feed prices) against the targets, with the NAV loss within the slippage bound of what was traded.
 */
import { expect } from "chai";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { IERC20__factory, IndexVault__factory, PriceRegistry__factory, Rebalancer__factory } from "../../typechain-types";
import { loadUniverseFile } from "../../src/data/universe";
import { computeIndex, MAG7, MEME, WAD } from "../../src/methodology";
import { loadDeployment, tokenIndex, type DeploymentRecord } from "../../chain/deployment";
import { samplePrices } from "../../chain/ssi";
import { moveMarket } from "../../chain/market-move";
import type { MarketAddresses } from "../../chain/market";
import { expectUserError, runTask } from "./fixtures";
import { ROLE } from "../../ignition/modules/roles";

const root = path.resolve(__dirname, "../..");
const month1 = path.join(root, "sample/universe.json");
const month2 = path.join(root, "sample/universe-next.json");
const BPS = 10_000n;
type Product = "MAG7" | "MEME" | "DEFI";

describe("ssi:rebalance end to end: two month-ends of sample data", function () {
  this.timeout(300_000);
  let record: DeploymentRecord;
  let month2Pushed: SnapshotRestorer;

  const vault = (p: Product) => IndexVault__factory.connect(record.products[p]!.vault, hre.ethers.provider);
  const rebalancer = (p: Product) => Rebalancer__factory.connect(record.products[p]!.rebalancer!, hre.ethers.provider);
  const symbolOf = (a: string) => tokenIndex(record).get(a.toLowerCase())?.asset ?? a;

  /** Value weights {WAD} by hand: balanceOf x PriceRegistry price / 10^dec, over held and target tokens. */
  async function weightsByHand(p: Product): Promise<{ nav: bigint; weights: Map<string, bigint>; targets: Map<string, bigint> }> {
    const v = vault(p);
    const registry = PriceRegistry__factory.connect(record.protocol.priceRegistry, hre.ethers.provider);
    const [, tokens, weights] = await v.targets();
    const [held] = await v.basket();
    const all = [...new Set([...tokens, ...held])];
    const values = new Map<string, bigint>();
    let nav = 0n;
    for (const a of all) {
      const [price, dec] = await registry.priceAndDecimals(a);
      const value = ((await IERC20__factory.connect(a, hre.ethers.provider).balanceOf(v)) * price) / 10n ** dec;
      values.set(symbolOf(a), value);
      nav += value;
    }
    return {
      nav,
      weights: new Map([...values].map(([s, x]) => [s, (x * WAD) / nav])),
      targets: new Map(tokens.map((t, i) => [symbolOf(t), weights[i]!])),
    };
  }

  before(async function () {
    // == Month 1 ==
    await runTask(hre, "ssi:deploy", { sampleMarket: true, reset: false });
    record = loadDeployment("hardhat", 31337);
    for (const p of ["MAG7", "MEME", "DEFI"] as const) await runTask(hre, "ssi:push-weights", { index: p, universe: month1, validFor: "3600", json: false });
    await runTask(hre, "index:faucet", { amount: "300000" });
    for (const p of ["MAG7", "MEME", "DEFI"] as const) await runTask(hre, "index:mint", { index: p, shares: "1000" }); // $100k each
  });

  it("ssi:deploy wired a Rebalancer per vault: REBALANCER_ROLE, KEEPER_ROLE, the adapter, the parameters' limits", async function () {
    const params = require(path.join(root, "ignition/parameters/hardhat.json"));
    for (const p of ["MAG7", "MEME", "DEFI"] as const) {
      const r = rebalancer(p);
      expect(await vault(p).hasRole(ROLE.REBALANCER, r)).to.equal(true);
      expect(await r.hasRole(ROLE.KEEPER, params.$global.keeper)).to.equal(true);
      expect(await r.hasRole(ROLE.DEFAULT_ADMIN, record.protocol.admin)).to.equal(true); // the timelock
      expect(await r.hasRole(ROLE.DEFAULT_ADMIN, record.protocol.deployer)).to.equal(false);
      expect(await r.isAdapter(record.protocol.tradeAdapter!)).to.equal(true);
      const want = params[`Rebalance_${p}`];
      const lim = await r.limits();
      expect([lim.toleranceBps, lim.maxSlippageBps, lim.cooldown, lim.maxWindow, lim.feeAccrualInterval, lim.maxTradeUsd]).to.deep.equal(
        [want.toleranceBps, want.maxSlippageBps, want.cooldown, want.maxWindow, want.feeAccrualInterval, want.maxTradeUsd.slice(0, -1)].map(BigInt),
      );
    }
  });

  it("month 1: ssi:rebalance has nothing to trade (the mint is at the targets): it sends nothing and says so", async function () {
    for (const p of ["MAG7", "MEME", "DEFI"] as const) {
      const b0 = await hre.ethers.provider.getBlockNumber();
      const out = JSON.parse(await runTask(hre, "ssi:rebalance", { index: p, dryRun: false, json: true }));
      expect(out.status, p).to.equal("nothing-to-trade");
      expect(out.trades, p).to.have.length(0);
      expect(await hre.ethers.provider.getBlockNumber(), `${p}: a transaction was sent`).to.equal(b0);
      const [completed, open] = await rebalancer(p).window();
      expect([completed, open], p).to.deep.equal([0n, 0n]); // no window opened
    }
    const text = await runTask(hre, "ssi:rebalance", { index: "MEME", dryRun: false, json: false });
    expect(text).to.match(/MEME\.ssi round 1: nothing to trade, every weight is within \d+ bps of its target .*no transaction was sent \(no window opened\)/);
  });

  it("month 2: prices move, the buffer keeps ADA (MAG7 rank N+1) and admits BRETT (MEME rank N-B), and the signed report is pushed", async function () {
    await time.increase(31 * 86_400);
    const u2 = loadUniverseFile(month2);
    const [admin] = await hre.ethers.getSigners();
    const market = { chainId: record.chainId, tokens: record.tokens, uniswap: record.uniswap, hubs: record.hubs } as unknown as MarketAddresses;
    const moved = await moveMarket(admin!, market, samplePrices(u2));
    expect(moved.pools).to.be.greaterThan(40);

    const mag7 = computeIndex(MAG7, u2, ["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA"]);
    const ada = mag7.constituents.find((c) => c.symbol === "ADA");
    expect(ada?.rank, "ADA kept at rank N+1").to.equal(MAG7.constituents + 1);
    expect(mag7.constituents.map((c) => c.symbol)).to.not.include("TRX");
    const memeIncumbents = computeIndex(MEME, loadUniverseFile(month1)).constituents.map((c) => c.symbol);
    const meme = computeIndex(MEME, u2, memeIncumbents);
    expect(meme.constituents.find((c) => c.symbol === "BRETT")?.rank, "BRETT admitted at rank N-B").to.equal(MEME.constituents - MEME.buffer);
    expect(meme.constituents.map((c) => c.symbol)).to.not.include("FARTCOIN");
    expect(memeIncumbents).to.include("FARTCOIN");

    for (const p of ["MAG7", "MEME", "DEFI"] as const) await runTask(hre, "ssi:push-weights", { index: p, universe: month2, validFor: "3600", json: false });
    const [round, tokens, weights] = await vault("MEME").targets();
    expect(round).to.equal(2n);
    expect(tokens.map(symbolOf)).to.deep.equal(meme.constituents.map((c) => c.symbol));
    expect(weights).to.deep.equal(meme.constituents.map((c) => c.weight));
    expect((await vault("MAG7").targets())[1].map(symbolOf)).to.deep.equal(mag7.constituents.map((c) => c.symbol));
    month2Pushed = await takeSnapshot();
  });

  it("--dry-run prints the plan (turnover = half the L1 distance to the targets, by hand) and sends nothing", async function () {
    await month2Pushed.restore();
    const before = await weightsByHand("MEME");
    const nonce = await hre.ethers.provider.getTransactionCount(record.protocol.keeper);
    const out = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MEME", dryRun: true, json: true }));
    expect(out.status).to.equal("dry-run");
    expect(await hre.ethers.provider.getTransactionCount(record.protocol.keeper)).to.equal(nonce);
    expect((await rebalancer("MEME").window())[1]).to.equal(0n);
    // Turnover by hand: sum over tokens of max(0, value - target value); within the dust of each token.
    let overweight = 0n;
    for (const [s, w] of before.weights) {
      const t = before.targets.get(s) ?? 0n;
      if (w > t) overweight += ((w - t) * before.nav) / WAD;
    }
    const turnover = BigInt(out.turnoverUsd);
    const slack = BigInt(out.dustUsd) * BigInt(before.weights.size) + WAD; // untraded dust + rounding
    expect(turnover > overweight ? turnover - overweight : overweight - turnover).to.be.lte(slack);
    expect(BigInt(out.navUsd) - before.nav).to.be.lte(WAD / 100n);
    // The sell side includes FARTCOIN's whole position, the buy side BRETT.
    expect(out.trades.some((t: { sell: string }) => t.sell === "FARTCOIN")).to.equal(true);
    expect(out.trades.some((t: { buy: string }) => t.buy === "BRETT")).to.equal(true);
    for (const t of out.trades) {
      expect(BigInt(t.oracleMinOut), "the contract's floor equals the planner's").to.equal(BigInt(t.minAmountOut));
      expect(BigInt(t.quotedOut), "the pool quote clears the floor").to.be.gte(BigInt(t.minAmountOut));
      expect(BigInt(t.quoteGas)).to.be.gt(0n);
    }
  });

  for (const p of ["MEME", "MAG7", "DEFI"] as const) {
    it(`${p}: ssi:rebalance executes on the Uniswap pools and lands every weight within tolerance, NAV loss within the slippage bound`, async function () {
      await month2Pushed.restore();
      const before = await weightsByHand(p);
      const out = JSON.parse(await runTask(hre, "ssi:rebalance", { index: p, dryRun: false, json: true }));
      expect(out.status).to.equal("complete");
      expect(out.trades.length).to.be.greaterThan(0);
      const after = await weightsByHand(p);
      const tol = (BigInt(out.limits.toleranceBps) * WAD) / BPS;
      for (const [s, w] of after.weights) {
        const t = after.targets.get(s) ?? 0n;
        expect(w > t ? w - t : t - w, `${p} ${s}: weight ${w} vs target ${t}`).to.be.lte(tol);
      }
      // The basket is exactly the targets (a leaver is gone, an entrant is in).
      const [held] = await vault(p).basket();
      expect(held.map(symbolOf).sort()).to.deep.equal([...after.targets.keys()].sort());
      if (p === "MEME") {
        expect(held.map(symbolOf)).to.include("BRETT");
        expect(held.map(symbolOf)).to.not.include("FARTCOIN");
        const fart = record.tokens[record.assets.FARTCOIN!]!.address;
        expect(await IERC20__factory.connect(fart, hre.ethers.provider).balanceOf(vault(p))).to.equal(0n);
      }
      if (p === "MAG7") expect(held.map(symbolOf)).to.include("ADA");
      const traded = out.trades.reduce((a: bigint, t: { usdValue: string }) => a + BigInt(t.usdValue), 0n);
      const loss = before.nav - after.nav;
      expect(loss, `${p} NAV loss ${loss} vs bound on ${traded} traded`).to.be.lte((traded * BigInt(out.limits.maxSlippageBps)) / BPS);
      expect((await rebalancer(p).window())[0]).to.equal(2n);
      console.log(`      [${p}] NAV $${Number(before.nav / 10n ** 16n) / 100} -> $${Number(after.nav / 10n ** 16n) / 100}, turnover $${Number(BigInt(out.turnoverUsd) / 10n ** 16n) / 100} (${Number((BigInt(out.turnoverWad) * 10000n) / WAD) / 100}% of NAV), ${out.trades.length} trades, gas ${out.result.batchGasUsed.join("+")}`);
    });
  }

  it("with a small --max-trade-usd the chunks of one pair wait on the cool-off: the run stops cleanly, a re-run after it completes", async function () {
    await month2Pushed.restore();
    const first = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MEME", dryRun: false, maxTradeUsd: "400", json: true }));
    expect(first.status).to.equal("partial");
    const waiting = first.trades.filter((t: { batch?: number }) => t.batch === undefined);
    expect(waiting.length).to.be.greaterThan(0);
    const [, open] = await rebalancer("MEME").window();
    expect(open, "the window stays open").to.equal(2n);
    // Nothing in the first run repeated a pair.
    const pairs = first.trades.filter((t: { batch?: number }) => t.batch !== undefined).map((t: { tokenIn: string; tokenOut: string }) => [t.tokenIn, t.tokenOut].map((a) => a.toLowerCase()).sort().join("/"));
    expect(new Set(pairs).size).to.equal(pairs.length);
    // Immediately again (dry run): every trade of a pair just traded waits, none is batched.
    const again = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MEME", dryRun: true, maxTradeUsd: "400", json: true }));
    const cooling = new Set(pairs);
    const repeat = again.trades.filter((t: { tokenIn: string; tokenOut: string }) => cooling.has([t.tokenIn, t.tokenOut].map((a) => a.toLowerCase()).sort().join("/")));
    expect(repeat.length).to.be.greaterThan(0);
    for (const t of repeat) expect([t.batch, BigInt(t.waitUntil) > BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp)]).to.deep.equal([undefined, true]);
    let runs = 1;
    let status = first.status;
    while (status === "partial") {
      await time.increase(3600);
      const [admin] = await hre.ethers.getSigners();
      await moveMarket(admin!, { chainId: record.chainId, tokens: record.tokens, uniswap: record.uniswap, hubs: record.hubs } as unknown as MarketAddresses, {}); // keep feeds fresh
      status = JSON.parse(await runTask(hre, "ssi:rebalance", { index: "MEME", dryRun: false, maxTradeUsd: "400", json: true })).status;
      runs++;
      expect(runs).to.be.lessThan(30);
    }
    expect(status).to.equal("complete");
    expect((await rebalancer("MEME").window())[0]).to.equal(2n);
  });

  describe("refusals send nothing", function () {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["an unknown index", { index: "NOPE", dryRun: false, json: false }, /--index "NOPE" is not one of MAG7, MEME, DEFI/],
      ["a non-numeric --max-trade-usd", { index: "MEME", dryRun: false, maxTradeUsd: "lots", json: false }, /--max-trade-usd "lots" is not a positive decimal number/],
      ["a zero --max-trade-usd", { index: "MEME", dryRun: false, maxTradeUsd: "0", json: false }, /greater than zero/],
      ["a --max-trade-usd above the on-chain cap", { index: "MEME", dryRun: false, maxTradeUsd: "1000000", json: false }, /above the MEME Rebalancer's per-trade cap/],
    ];
    for (const [what, args, msg] of cases) {
      it(`refuses ${what}`, async function () {
        await month2Pushed.restore();
        const nonce = await hre.ethers.provider.getTransactionCount(record.protocol.keeper);
        await expectUserError(hre, "ssi:rebalance", args, msg);
        expect(await hre.ethers.provider.getTransactionCount(record.protocol.keeper)).to.equal(nonce);
      });
    }

    it("refuses while the guardian's pause is on", async function () {
      await month2Pushed.restore();
      const guardian = await hre.ethers.getSigner(record.protocol.guardian);
      await (await vault("MEME").connect(guardian).pause()).wait();
      const nonce = await hre.ethers.provider.getTransactionCount(record.protocol.keeper);
      await expectUserError(hre, "ssi:rebalance", { index: "MEME", dryRun: false, json: false }, /paused by the guardian/);
      expect(await hre.ethers.provider.getTransactionCount(record.protocol.keeper)).to.equal(nonce);
    });

    it("refuses when a pool is off its feed by more than the slippage bound", async function () {
      await month2Pushed.restore();
      // BRETT's feed drops 5% but its pools stay: the oracle expects ~5% more BRETT than the pools give.
      const [admin] = await hre.ethers.getSigners();
      const { MockAggregator__factory } = await import("../../typechain-types");
      const feed = MockAggregator__factory.connect(record.tokens.BRETT!.feed, admin!);
      await (await feed.updateAnswer(((await feed.latestAnswer()) * 95n) / 100n)).wait();
      const nonce = await hre.ethers.provider.getTransactionCount(record.protocol.keeper);
      await expectUserError(hre, "ssi:rebalance", { index: "MEME", dryRun: false, json: false }, /below the oracle floor/);
      expect(await hre.ethers.provider.getTransactionCount(record.protocol.keeper)).to.equal(nonce);
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder } from "ethers";
import { IERC20__factory, MockAggregator__factory } from "../../../typechain-types";
import { deployUniswapV3Adapter, encodePath, FEE_TOKEN_HUB, refreshFeeds } from "../../../chain/market";
import { WAD, ceilDiv, expectCollateralised } from "../../fixtures/contracts";
import {
  KEEPER_ROLE, LIMITS, REBALANCER_ROLE, ROUND2, USD, expectUnitsFromBalances, planFor, rebalanceFixture, snapshotState, toTrades, type Fx,
} from "./fixture";

const F = FEE_TOKEN_HUB;
const BPS = 10_000n;
/** IRebalancer.Direction */
const NONE = 0n;
const SELL = 1n;
const BUY = 2n;

/**
 * The vault's holdings valued by hand over the targets and the held basket: balance x registry
 * price {1e18 USD} per token, and their sum (the NAV).
 */
async function valuesByHand(fx: Fx, tokens: readonly string[]): Promise<{ all: string[]; values: Map<string, bigint>; nav: bigint }> {
  const [held] = await fx.vault.basket();
  const all = [...new Set([...tokens, ...held])];
  const values = new Map<string, bigint>();
  let nav = 0n;
  for (const a of all) {
    const [p, d] = await fx.registry.priceAndDecimals(a);
    const v = ((await IERC20__factory.connect(a, fx.admin).balanceOf(fx.vault)) * p) / 10n ** d;
    values.set(a, v);
    nav += v;
  }
  return { all, values, nav };
}

/** Value weights {WAD} at feed prices over the held basket and the targets, computed here by hand. */
async function weightsByHand(fx: Fx): Promise<Map<string, bigint>> {
  const [, tokens] = await fx.vault.targets();
  const { values, nav } = await valuesByHand(fx, tokens);
  return new Map([...values].map(([a, v]) => [a, (v * WAD) / nav]));
}

/**
 * Each token's side by hand from the spec (IRebalancer.Direction), over the targets and the held basket:
 * value {1e18 USD} * 1e18 against NAV * target {WAD} (target 0 outside the targets), compared exactly.
 */
async function sidesByHand(fx: Fx): Promise<Map<string, bigint>> {
  const [, tokens, targets] = await fx.vault.targets();
  const { all, values, nav } = await valuesByHand(fx, tokens);
  return new Map(all.map((a) => {
    const i = tokens.indexOf(a);
    const have = values.get(a)! * WAD;
    const want = nav * (i < 0 ? 0n : targets[i]!);
    return [a, have > want ? SELL : have < want ? BUY : NONE];
  }));
}

/** A Uniswap V3 path through the USDC hub. */
function viaUsdc(fx: Fx, from: string, to: string): string {
  return encodePath([fx.addr(from), fx.addr("USDC"), fx.addr(to)], [F, F]);
}

/** oracleMinOut by hand: floor(floor(amountIn * pIn * 10^decOut / (10^decIn * pOut)) * (1e4 - bps) / 1e4). */
async function oracleMinByHand(fx: Fx, tokenIn: string, tokenOut: string, amountIn: bigint, bps = 100n): Promise<bigint> {
  const [pIn, dIn] = await fx.registry.priceAndDecimals(tokenIn);
  const [pOut, dOut] = await fx.registry.priceAndDecimals(tokenOut);
  const expected = (amountIn * pIn * 10n ** dOut) / (10n ** dIn * pOut);
  return (expected * (BPS - bps)) / BPS;
}

async function openRound2() {
  const fx = await loadFixture(rebalanceFixture);
  await fx.rebalancer.connect(fx.keeper).openRebalance();
  return fx;
}

/** $5k of cbBTC -> UNI through the USDC hub, with the keeper's minimum at 0 (the oracle floor applies). */
function btcToUni(fx: Fx, usd = 5_000n) {
  const amountIn = (usd * 10n ** 8n) / 95_000n; // cbBTC at $95,000, 8 decimals
  const path = encodePath([fx.addr("cbBTC"), fx.addr("USDC"), fx.addr("UNI")], [F, F]);
  return [fx.adapter.target as string, fx.addr("cbBTC"), fx.addr("UNI"), amountIn, 0n, path] as const;
}

describe("Rebalancer", function () {
  // Review point 1 (issue 13): a plain admin key could whitelist its own adapter and drain the vault at once.
  it("refuses, in the constructor, an admin that is not a TimelockController with at least a 1-day delay", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const factory = await ethers.getContractFactory("Rebalancer");
    await expect(factory.deploy(fx.vault, fx.admin.address, LIMITS)).to.be.revertedWithCustomError(factory, "AdminNotTimelock").withArgs(fx.admin.address);
    expect(await fx.rebalancer.hasRole(ethers.ZeroHash, fx.gov.address)).to.equal(true);
    await expect(fx.rebalancer.connect(fx.admin).setAdapter(fx.admin.address, true)).to.be.revertedWithCustomError(fx.rebalancer, "AccessControlUnauthorizedAccount");
  });

  describe("full rebalance on the local Uniswap V3 market", function () {
    it("takes the vault from round 1 to round 2 (sell LINK to zero, buy UNI, re-weight) within tolerance", async function () {
      const fx = await openRound2();
      const navBefore = await fx.vault.nav();
      const plan = await planFor(fx);
      expect(plan.trades.length).to.be.greaterThan(0);
      const trades = toTrades(plan, await fx.adapter.getAddress());
      // One trade alone, then the rest in one batch: units follow balances after each transaction.
      await fx.rebalancer.connect(fx.keeper).executeTrades([trades[0]!]);
      await expectUnitsFromBalances(fx.vault, fx.admin);
      if (trades.length > 1) {
        await fx.rebalancer.connect(fx.keeper).executeTrades(trades.slice(1));
        await expectUnitsFromBalances(fx.vault, fx.admin);
      }
      const weights = await weightsByHand(fx);
      const tol = (BigInt(LIMITS.toleranceBps) * WAD) / BPS;
      ROUND2.symbols.forEach((s, i) => {
        const w = weights.get(fx.addr(s))!;
        const t = ROUND2.weights[i]!;
        expect(w > t ? w - t : t - w, `${s} weight ${w} vs target ${t}`).to.be.at.most(tol);
      });
      // LINK was sold to (near) zero: it is out of the basket once the window closes.
      await expect(fx.rebalancer.connect(fx.keeper).closeRebalance()).to.emit(fx.rebalancer, "RebalanceClosed");
      const [tokens] = await fx.vault.basket();
      expect(tokens.map((t) => t.toLowerCase()).sort()).to.deep.equal(ROUND2.symbols.map((s) => fx.addr(s).toLowerCase()).sort());
      await expectUnitsFromBalances(fx.vault, fx.admin);
      const [completed, open] = await fx.rebalancer.window();
      expect([completed, open]).to.deep.equal([2n, 0n]);
      // NAV lost no more than the slippage bound on what was traded.
      const navAfter = await fx.vault.nav();
      expect(navBefore - navAfter).to.be.at.most((plan.summary.tradedUsd * 100n) / BPS);
    });

    it("emits TradeExecuted with the effective floor: max(keeper's minimum, oracle floor)", async function () {
      const fx = await openRound2();
      const args = btcToUni(fx);
      const floor = await oracleMinByHand(fx, args[1], args[2], args[3]);
      expect(await fx.rebalancer.oracleMinOut(args[1], args[2], args[3])).to.equal(floor);
      const balBefore = await IERC20__factory.connect(args[2], fx.admin).balanceOf(fx.vault);
      const tx = fx.rebalancer.connect(fx.keeper).executeTrade(...args);
      await expect(tx).to.emit(fx.rebalancer, "TradeExecuted");
      const receipt = await (await tx).wait();
      const ev = receipt!.logs.map((l) => fx.rebalancer.interface.parseLog(l)).find((e) => e?.name === "TradeExecuted")!;
      expect(ev.args.minAmountOut).to.equal(floor);
      const received = (await IERC20__factory.connect(args[2], fx.admin).balanceOf(fx.vault)) - balBefore;
      expect(ev.args.amountOut).to.equal(received);
      expect(received).to.be.gte(floor);
      await expectUnitsFromBalances(fx.vault, fx.admin);
    });

    it("opens with one basket write (held + targets) and sets the vault's rebalancing mode bit in the hot slot", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await expect(fx.rebalancer.connect(fx.keeper).openRebalance()).to.emit(fx.vault, "BasketUpdated");
      expect(await fx.vault.rebalancing()).to.equal(true);
      // Hot slot bits [136, 144) = mode: bit 1 REBALANCING (the slot the snapshot of rejections reads).
      const hot = BigInt(await ethers.provider.getStorage(fx.vault, 9));
      expect((hot >> 136n) & 0xffn).to.equal(2n);
      // UNI not bought yet: listed with unit 0 (in a window the basket is the whole record, issue 8).
      const [tokens, units] = await fx.vault.rawBasket();
      expect(tokens.map((t) => t.toLowerCase())).to.deep.equal(["cbBTC", "WETH", "LINK", "UNI"].map((s) => fx.addr(s).toLowerCase()));
      expect(units[3]).to.equal(0n);
    });

    it("trades with no basket write; mid-window mint and redeem are pro rata from balances, the new token included", async function () {
      const fx = await openRound2();
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx))).not.to.emit(fx.vault, "BasketUpdated");
      await expectUnitsFromBalances(fx.vault, fx.admin);
      const [tokens] = await fx.vault.basket();
      expect(tokens.map((t) => t.toLowerCase())).to.deep.equal(["cbBTC", "WETH", "LINK", "UNI"].map((s) => fx.addr(s).toLowerCase()));
      const erc = tokens.map((t) => IERC20__factory.connect(t, fx.admin));
      const balsAt = (who: string, blockTag: number) => Promise.all(erc.map((t) => t.balanceOf(who, { blockTag })));
      // Mint: pulls ceil(shares * balance / S), S the effective supply at the mint (after its own accrual).
      const shares = 10n * WAD + 7n;
      const [, amounts] = await fx.vault.previewMint(shares);
      let n = (await (await fx.vault.connect(fx.alice).mint(shares, fx.alice.address, [...amounts])).wait())!.blockNumber;
      let before = await balsAt(await fx.vault.getAddress(), n - 1);
      let after = await balsAt(await fx.vault.getAddress(), n);
      let s = (await fx.vault.effectiveSupply({ blockTag: n })) - shares;
      before.forEach((b, i) => expect(after[i]! - b, `mint ${tokens[i]}`).to.equal(ceilDiv(shares * b, s)));
      await expectCollateralised(fx.vault);
      await expectUnitsFromBalances(fx.vault, fx.admin);
      // Redeem: floor(shares * balance / S) of every token, so the redeemer receives UNI bought mid-window.
      const out = 20n * WAD;
      const aliceBefore = await balsAt(fx.alice.address, await ethers.provider.getBlockNumber());
      n = (await (await fx.vault.connect(fx.alice).redeem(out, fx.alice.address, [0, 0, 0, 0])).wait())!.blockNumber;
      before = await balsAt(await fx.vault.getAddress(), n - 1);
      after = await balsAt(fx.alice.address, n);
      s = (await fx.vault.effectiveSupply({ blockTag: n })) + out;
      before.forEach((b, i) => expect(after[i]! - aliceBefore[i]!, `redeem ${tokens[i]}`).to.equal((out * b) / s));
      expect(after[3]! - aliceBefore[3]!).to.be.greaterThan(0n);
      await expectCollateralised(fx.vault);
      await expectUnitsFromBalances(fx.vault, fx.admin);
    });

    it("drops a held token worth at most maxDustUsd from the final basket (its dust stays in the vault) and rejects one above it", async function () {
      const fx = await openRound2();
      const plan = await planFor(fx);
      const trades = toTrades(plan, await fx.adapter.getAddress());
      const link = fx.addr("LINK");
      // Leave $5 of LINK ($15 each at the feed): sell the rest of it in the LINK trades.
      const linkBal = await IERC20__factory.connect(link, fx.admin).balanceOf(fx.vault);
      const keep = WAD / 3n;
      const linkTrades = trades.filter((t) => t.tokenIn === link);
      const sold = linkTrades.reduce((a, t) => a + t.amountIn, 0n);
      expect(sold).to.equal(linkBal); // the planner sells a leaving token to zero
      linkTrades[linkTrades.length - 1]!.amountIn -= keep;
      await fx.rebalancer.connect(fx.keeper).executeTrades(trades);
      const [p, d] = await fx.registry.priceAndDecimals(link);
      const value = (keep * p) / 10n ** d;
      await expect(fx.gov.exec(fx.rebalancer, "setMaxDustUsd", [value - 1n])).to.emit(fx.rebalancer, "MaxDustUsdUpdated").withArgs(value - 1n);
      const before = await snapshotState(fx);
      await expect(fx.rebalancer.connect(fx.keeper).closeRebalance()).to.be.revertedWithCustomError(fx.rebalancer, "DustAboveBound").withArgs(link, value, value - 1n);
      expect(await snapshotState(fx)).to.equal(before);
      await fx.gov.exec(fx.rebalancer, "setMaxDustUsd", [value]);
      expect(await fx.rebalancer.maxDustUsd()).to.equal(value);
      await fx.rebalancer.connect(fx.keeper).closeRebalance();
      // endRebalance keeps exactly the targets (issue 8: a donated speck cannot keep a token in the basket).
      const [tokens] = await fx.vault.basket();
      expect(tokens.map((t) => t.toLowerCase())).to.deep.equal(ROUND2.symbols.map((s) => fx.addr(s).toLowerCase()));
      await expectUnitsFromBalances(fx.vault, fx.admin);
      expect(await IERC20__factory.connect(link, fx.admin).balanceOf(fx.vault)).to.equal(keep);
      await fx.vault.connect(fx.alice).redeem(100n * WAD, fx.alice.address, [0, 0, 0]);
    });
  });

  describe("rejections (named errors, no state change)", function () {
    /** `error` is a custom error of `contract`, or `reason:<text>` for a revert string (the Uniswap router's). */
    async function rejects(fx: Fx, call: () => Promise<unknown>, contract: { interface: unknown }, error: string, args?: unknown[]) {
      const before = await snapshotState(fx);
      if (error.startsWith("reason:")) {
        await expect(call()).to.be.revertedWith(error.slice("reason:".length));
        expect(await snapshotState(fx)).to.equal(before);
        return;
      }
      const m = expect(call()).to.be.revertedWithCustomError(contract as never, error);
      if (args) await m.withArgs(...args);
      else await m;
      expect(await snapshotState(fx)).to.equal(before);
    }

    it("StalePrice when a feed is older than its heartbeat", async function () {
      const fx = await openRound2();
      await time.increase(2 * 86_400);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.registry, "StalePrice");
    });

    it("NonPositivePrice when a feed answers 0", async function () {
      const fx = await openRound2();
      await MockAggregator__factory.connect(fx.market.tokens.UNI!.feed, fx.admin).updateAnswer(0);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.registry, "NonPositivePrice");
    });

    // The adapter hands the floor to the router as its amountOutMinimum (issue 13): the router refuses first.
    it("the router's 'Too little received' when the keeper's minimum is above what the pool gives", async function () {
      const fx = await openRound2();
      const a = btcToUni(fx);
      const floor = await oracleMinByHand(fx, a[1], a[2], a[3]);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a[0], a[1], a[2], a[3], (floor * 11n) / 10n, a[5]), fx.adapter, "reason:Too little received");
    });

    it("the router's 'Too little received' when the oracle says the output is worth less than the pool price (slippage above the bound)", async function () {
      const fx = await openRound2();
      // UNI's feed drops 5%: the oracle floor asks ~4% more UNI than the pool (still at $10) gives.
      await MockAggregator__factory.connect(fx.market.tokens.UNI!.feed, fx.admin).updateAnswer(950_000_000n);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.adapter, "reason:Too little received");
    });

    it("TokenNotAllowed for a token neither held nor in the targets", async function () {
      const fx = await openRound2();
      const a = btcToUni(fx);
      const path = encodePath([fx.addr("cbBTC"), fx.addr("USDC")], [F]);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a[0], a[1], fx.addr("USDC"), a[3], 0n, path), fx.rebalancer, "TokenNotAllowed", [fx.addr("USDC")]);
    });

    it("AdapterNotAllowed for an adapter off the whitelist", async function () {
      const fx = await openRound2();
      const other = await deployUniswapV3Adapter(fx.admin, fx.market);
      const a = btcToUni(fx);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(other.target as string, a[1], a[2], a[3], a[4], a[5]), fx.rebalancer, "AdapterNotAllowed", [other.target]);
    });

    it("AccessControlUnauthorizedAccount for a caller without KEEPER_ROLE, and for anyone but the module on the vault hook", async function () {
      const fx = await openRound2();
      await rejects(fx, () => fx.rebalancer.connect(fx.outsider).executeTrade(...btcToUni(fx)), fx.rebalancer, "AccessControlUnauthorizedAccount", [fx.outsider.address, KEEPER_ROLE]);
      await rejects(fx, () => fx.rebalancer.connect(fx.outsider).openRebalance(), fx.rebalancer, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.rebalancer.connect(fx.outsider).closeRebalance(), fx.rebalancer, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.vault.connect(fx.keeper).executeTrades([]), fx.vault, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.vault.connect(fx.keeper).beginRebalance([]), fx.vault, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.vault.connect(fx.keeper).endRebalance([]), fx.vault, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).setMaxDustUsd(0), fx.rebalancer, "AccessControlUnauthorizedAccount");
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).setAdapter(fx.keeper.address, true), fx.rebalancer, "AccessControlUnauthorizedAccount");
    });

    it("RebalancePaused while the guardian's pause is on; redemption still works", async function () {
      const fx = await openRound2();
      const weth = fx.addr("WETH");
      await fx.rebalancer.connect(fx.keeper).executeTrade(fx.adapter.target as string, weth, fx.addr("UNI"), WAD, 0n, encodePath([weth, fx.addr("UNI")], [F]));
      await fx.vault.connect(fx.guardian).pause();
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.vault, "RebalancePaused");
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).closeRebalance(), fx.vault, "RebalancePaused");
      await rejects(fx, () => fx.vault.connect(fx.alice).mint(WAD, fx.alice.address, [0, 0, 0, 0]), fx.vault, "MintPaused");
      const [, outs] = await fx.vault.previewRedeem(WAD);
      expect(outs.length).to.equal(4); // mid-window: UNI is paid too
      await fx.vault.connect(fx.alice).redeem(WAD, fx.alice.address, outs.map((o) => (o * 999n) / 1000n));
      await expectCollateralised(fx.vault);
    });

    it("TradeAboveCap above the per-trade USD cap", async function () {
      const fx = await openRound2();
      await fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 100, maxTradeUsd: 4_000n * USD }]);
      const a = btcToUni(fx, 5_000n); // within cbBTC's sell budget (~$10k), above the $4k cap
      const [p] = await fx.registry.priceAndDecimals(a[1]);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...a), fx.rebalancer, "TradeAboveCap", [(a[3] * p) / 10n ** 8n, 4_000n * USD]);
    });

    it("PairInCooldown for the same unordered pair within the cool-off, then allows it after", async function () {
      const fx = await openRound2();
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx));
      const at = await fx.rebalancer.lastTradeAt(fx.addr("UNI"), fx.addr("cbBTC"));
      const [lo, hi] = BigInt(fx.addr("cbBTC")) < BigInt(fx.addr("UNI")) ? [fx.addr("cbBTC"), fx.addr("UNI")] : [fx.addr("UNI"), fx.addr("cbBTC")];
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.rebalancer, "PairInCooldown", [lo, hi, at + BigInt(LIMITS.cooldown)]);
      // The reversed direction is refused before the cool-off is even looked at (UNI is a buyer).
      const back = viaUsdc(fx, "UNI", "cbBTC");
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(fx.adapter.target as string, fx.addr("UNI"), fx.addr("cbBTC"), 10n ** 18n, 0n, back), fx.rebalancer, "WrongDirection", [fx.addr("UNI"), BUY]);
      // Two of the pair in one batch: the second is in the cool-off.
      const t = { adapter: fx.adapter.target as string, tokenIn: fx.addr("WETH"), tokenOut: fx.addr("UNI"), amountIn: 10n ** 18n, minAmountOut: 0n, routeData: encodePath([fx.addr("WETH"), fx.addr("UNI")], [F]) };
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrades([t, t]), fx.rebalancer, "PairInCooldown");
      await time.increase(LIMITS.cooldown);
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx));
    });

    it("sides are fixed at open from the value weights against the targets (by hand), and none outside the window", async function () {
      const fx = await loadFixture(rebalanceFixture);
      const bySpec = await sidesByHand(fx);
      // Round 1 -> 2: cbBTC and WETH 40% -> 30% and LINK leaving sell; UNI (not held, 40%) buys.
      expect([...bySpec].map(([a, d]) => [a.toLowerCase(), d])).to.deep.equal(
        [["cbBTC", SELL], ["WETH", SELL], ["UNI", BUY], ["LINK", SELL]].map(([s, d]) => [fx.addr(s as string).toLowerCase(), d]),
      );
      const [tokens, sides] = await fx.rebalancer.openDirections();
      expect(tokens.map((t, i) => [t, sides[i]])).to.deep.equal([...bySpec]);
      for (const t of tokens) expect(await fx.rebalancer.direction(t)).to.equal(NONE); // not open yet
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      for (const [t, d] of bySpec) expect(await fx.rebalancer.direction(t), t).to.equal(d);
      expect(await fx.rebalancer.direction(fx.addr("USDC"))).to.equal(NONE);
      // A price move after open does not change the sides: cbBTC halves (now under-weight) and still sells.
      await refreshFeeds(fx.admin, fx.market, { cbBTC: 47_500 });
      expect((await sidesByHand(fx)).get(fx.addr("cbBTC"))).to.equal(BUY);
      expect(await fx.rebalancer.direction(fx.addr("cbBTC"))).to.equal(SELL);
    });

    it("WrongDirection for churn: A -> B then B -> A, and B -> C -> A, are refused after the cool-off", async function () {
      const fx = await openRound2();
      const a = fx.adapter.target as string;
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx));
      await time.increase(LIMITS.cooldown);
      await refreshFeeds(fx.admin, fx.market);
      const uni = await IERC20__factory.connect(fx.addr("UNI"), fx.admin).balanceOf(fx.vault);
      expect(uni).to.be.greaterThan(0n);
      // B -> A: UNI (a buyer) back to cbBTC.
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("UNI"), fx.addr("cbBTC"), uni / 2n, 0n, viaUsdc(fx, "UNI", "cbBTC")), fx.rebalancer, "WrongDirection", [fx.addr("UNI"), BUY]);
      // B -> C: UNI to WETH (C a seller); C -> A: WETH to cbBTC (both sellers).
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("UNI"), fx.addr("WETH"), uni / 2n, 0n, encodePath([fx.addr("UNI"), fx.addr("WETH")], [F])), fx.rebalancer, "WrongDirection", [fx.addr("UNI"), BUY]);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("WETH"), fx.addr("cbBTC"), WAD, 0n, encodePath([fx.addr("WETH"), fx.addr("cbBTC")], [F])), fx.rebalancer, "WrongDirection", [fx.addr("cbBTC"), SELL]);
      // In one batch: a legal first trade does not make the reversed second one legal.
      const t1 = { adapter: a, tokenIn: fx.addr("WETH"), tokenOut: fx.addr("UNI"), amountIn: WAD, minAmountOut: 0n, routeData: encodePath([fx.addr("WETH"), fx.addr("UNI")], [F]) };
      const t2 = { ...t1, tokenIn: fx.addr("UNI"), tokenOut: fx.addr("WETH"), amountIn: uni / 2n, routeData: encodePath([fx.addr("UNI"), fx.addr("WETH")], [F]) };
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrades([t1, t2]), fx.rebalancer, "WrongDirection", [fx.addr("UNI"), BUY]);
    });

    it("WrongDirection for buying an over-weight token and for selling an under-weight one", async function () {
      const fx = await openRound2();
      const a = fx.adapter.target as string;
      // Buying WETH (40% -> 30%, over-weight) with cbBTC (also a seller).
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("cbBTC"), fx.addr("WETH"), 10n ** 6n, 0n, encodePath([fx.addr("cbBTC"), fx.addr("WETH")], [F])), fx.rebalancer, "WrongDirection", [fx.addr("WETH"), SELL]);
      // Buying LINK (leaving the basket) with WETH.
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("WETH"), fx.addr("LINK"), WAD, 0n, viaUsdc(fx, "WETH", "LINK")), fx.rebalancer, "WrongDirection", [fx.addr("LINK"), SELL]);
      // Selling UNI (under-weight, now held) for LINK.
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx));
      const uni = await IERC20__factory.connect(fx.addr("UNI"), fx.admin).balanceOf(fx.vault);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(a, fx.addr("UNI"), fx.addr("LINK"), uni / 2n, 0n, viaUsdc(fx, "UNI", "LINK")), fx.rebalancer, "WrongDirection", [fx.addr("UNI"), BUY]);
    });

    it("RebalanceWindowExpired for a trade at openedAt + maxWindow, before automation expires the window", async function () {
      const fx = await openRound2();
      const [, , openedAt] = await fx.rebalancer.window();
      const expiresAt = openedAt + BigInt(LIMITS.maxWindow);
      await time.increaseTo(expiresAt - 120n);
      await refreshFeeds(fx.admin, fx.market);
      await time.setNextBlockTimestamp(expiresAt - 1n);
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)); // the last second of the window
      await time.setNextBlockTimestamp(expiresAt);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.rebalancer, "RebalanceWindowExpired", [2n, expiresAt]);
      const t = { adapter: fx.adapter.target as string, tokenIn: fx.addr("WETH"), tokenOut: fx.addr("UNI"), amountIn: WAD, minAmountOut: 0n, routeData: encodePath([fx.addr("WETH"), fx.addr("UNI")], [F]) };
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrades([t]), fx.rebalancer, "RebalanceWindowExpired", [2n, expiresAt]);
      expect((await fx.rebalancer.window())[1]).to.equal(2n); // still open: only automation (or a close) ends it
    });

    it("RebalanceNotOpen before opening; NoNewTargets and RebalanceAlreadyOpen on open", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.rebalancer, "RebalanceNotOpen");
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).closeRebalance(), fx.rebalancer, "RebalanceNotOpen");
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).openRebalance(), fx.rebalancer, "RebalanceAlreadyOpen", [2n]);
      const plan = await planFor(fx);
      await fx.rebalancer.connect(fx.keeper).executeTrades(toTrades(plan, fx.adapter.target as string));
      await fx.rebalancer.connect(fx.keeper).closeRebalance();
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).openRebalance(), fx.rebalancer, "NoNewTargets", [2n, 2n]);
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)), fx.rebalancer, "RebalanceNotOpen");
    });

    it("WeightOutOfTolerance naming the token, its weight and its target when closing early", async function () {
      const fx = await openRound2();
      const weights = await weightsByHand(fx);
      const [, tokens, targets] = await fx.vault.targets();
      // The first target out of tolerance, in the contract's order (targets first).
      const tol = (BigInt(LIMITS.toleranceBps) * WAD) / BPS;
      const i = tokens.findIndex((t, k) => { const w = weights.get(t)!; return (w > targets[k]! ? w - targets[k]! : targets[k]! - w) > tol; });
      await rejects(fx, () => fx.rebalancer.connect(fx.keeper).closeRebalance(), fx.rebalancer, "WeightOutOfTolerance", [tokens[i], weights.get(tokens[i]!)!, targets[i]]);
    });

    it("SlippageAboveCap / InvalidLimit on setLimits; the default slippage is 1%", async function () {
      const fx = await loadFixture(rebalanceFixture);
      expect((await fx.rebalancer.limits()).maxSlippageBps).to.equal(100n);
      await expect(fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 501 }])).to.be.revertedWithCustomError(fx.rebalancer, "SlippageAboveCap").withArgs(501, 500);
      await expect(fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 100, maxTradeUsd: 0 }])).to.be.revertedWithCustomError(fx.rebalancer, "InvalidLimit");
      // The cap lives in 96 bits of the per-trade slot: 2^96 {1e18 USD} (~$7.9e10) and above are refused.
      await expect(fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 100, maxTradeUsd: 2n ** 96n }])).to.be.revertedWithCustomError(fx.rebalancer, "InvalidLimit").withArgs("maxTradeUsd");
      await fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 100, maxTradeUsd: 2n ** 96n - 1n }]);
      expect((await fx.rebalancer.limits()).maxTradeUsd).to.equal(2n ** 96n - 1n);
      await expect(fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 500 }])).to.emit(fx.rebalancer, "LimitsUpdated");
      expect((await fx.rebalancer.limits()).maxSlippageBps).to.equal(500n);
    });
  });

  describe("input guards", function () {
    it("the constructor refuses a zero vault or admin (ZeroAddress)", async function () {
      const fx = await loadFixture(rebalanceFixture);
      const factory = await ethers.getContractFactory("Rebalancer");
      await expect(factory.deploy(ethers.ZeroAddress, fx.gov.address, LIMITS)).to.be.revertedWithCustomError(factory, "ZeroAddress").withArgs("vault");
      await expect(factory.deploy(fx.vault, ethers.ZeroAddress, LIMITS)).to.be.revertedWithCustomError(factory, "ZeroAddress").withArgs("admin");
    });

    it("setAdapter refuses the zero address; setLimits refuses a tolerance above 100% and any caller but the admin", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await expect(fx.gov.exec(fx.rebalancer, "setAdapter", [ethers.ZeroAddress, true])).to.be.revertedWithCustomError(fx.rebalancer, "ZeroAddress").withArgs("adapter");
      await expect(fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, toleranceBps: 10_001 }])).to.be.revertedWithCustomError(fx.rebalancer, "InvalidLimit").withArgs("toleranceBps");
      await expect(fx.rebalancer.connect(fx.keeper).setLimits({ ...LIMITS, toleranceBps: 100 }))
        .to.be.revertedWithCustomError(fx.rebalancer, "AccessControlUnauthorizedAccount")
        .withArgs(fx.keeper.address, ethers.ZeroHash);
      await fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, toleranceBps: 10_000 }]);
      expect((await fx.rebalancer.limits()).toleranceBps).to.equal(10_000n);
    });

    it("executeTrades refuses an empty batch (NoTrades) and a caller without KEEPER_ROLE", async function () {
      const fx = await openRound2();
      await expect(fx.rebalancer.connect(fx.keeper).executeTrades([])).to.be.revertedWithCustomError(fx.rebalancer, "NoTrades");
      const plan = await planFor(fx);
      await expect(fx.rebalancer.connect(fx.outsider).executeTrades(toTrades(plan, fx.adapter.target as string)))
        .to.be.revertedWithCustomError(fx.rebalancer, "AccessControlUnauthorizedAccount")
        .withArgs(fx.outsider.address, KEEPER_ROLE);
    });

    it("isAllowed is true only for the open window's tokens (held and targets), and false once it closes", async function () {
      const fx = await loadFixture(rebalanceFixture);
      expect(await fx.rebalancer.isAllowed(fx.addr("cbBTC"))).to.equal(false);
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      expect(await Promise.all(["cbBTC", "WETH", "LINK", "UNI", "USDC"].map((s) => fx.rebalancer.isAllowed(fx.addr(s))))).to.deep.equal([true, true, true, true, false]);
    });

    it("with maxWindow = 0 a window never expires: a trade long after the open still executes", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await fx.gov.exec(fx.rebalancer, "setLimits", [{ ...LIMITS, maxSlippageBps: 100, maxWindow: 0 }]);
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      await time.increase(30 * 86_400);
      await refreshFeeds(fx.admin, fx.market);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx))).to.emit(fx.rebalancer, "TradeExecuted");
    });
  });

  describe("keeper bounds per targets round (issue 8, review point 4)", function () {
    it("refuses a sale of a seller's whole balance when its target keeps some (SellAboveBudget with the budget left)", async function () {
      const fx = await openRound2();
      const btc = fx.addr("cbBTC"); // 40% -> 30%: a seller that keeps three quarters
      const balance = await fx.token("cbBTC").balanceOf(fx.vault);
      const left = await fx.rebalancer.sellBudget(btc);
      expect(left).to.be.greaterThan(0n).and.lessThan(balance);
      const a = btcToUni(fx);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(a[0], a[1], a[2], balance, 0n, a[5]))
        .to.be.revertedWithCustomError(fx.rebalancer, "SellAboveBudget")
        .withArgs(btc, balance, left);
    });

    const MARGIN = 100n; // DEFAULT_TURNOVER_MARGIN_BPS

    /**
     * A seller's budget by hand, at the current balances and prices: the excess over its target holding,
     * balance - floor(floor(NAV * target / 1e18) * 10^dec / price) {tok}, times (1e4 + margin) / 1e4 rounded up.
     */
    async function budgetByHand(fx: Fx, symbol: string, margin = MARGIN): Promise<bigint> {
      const [, tokens, targets] = await fx.vault.targets();
      const { nav } = await valuesByHand(fx, tokens);
      const a = fx.addr(symbol);
      const [p, d] = await fx.registry.priceAndDecimals(a);
      const balance = await IERC20__factory.connect(a, fx.admin).balanceOf(fx.vault);
      const keep = (((nav * targets[tokens.indexOf(a)]!) / WAD) * 10n ** d) / p;
      return ceilDiv((balance - keep) * (BPS + margin), BPS);
    }

    /**
     * A budget fixed at open, read later: budgets are per share (review R-1), stored as the fraction of the
     * seller's balance it may sell, ceil(b * 1e18 / balance) (in the keeper's favour by at most balance / 1e18
     * base units), so what `sellBudget` shows may exceed b by that rounding, never fall short.
     */
    function near(b: bigint) {
      return (v: bigint) => v >= b && v <= b + b / 10n ** 15n + 1n;
    }

    /** `usd` worth of `symbol` {tok} at its feed price, rounded down. */
    async function worth(fx: Fx, symbol: string, usd: bigint): Promise<bigint> {
      const [p, d] = await fx.registry.priceAndDecimals(fx.addr(symbol));
      return (usd * USD * 10n ** d) / p;
    }

    /** A trade through the USDC hub (WETH <-> UNI: their direct pool). */
    function trade(fx: Fx, from: string, to: string, amountIn: bigint) {
      const direct = [from, to].sort().join() === "UNI,WETH";
      const route = direct ? encodePath([fx.addr(from), fx.addr(to)], [F]) : viaUsdc(fx, from, to);
      return [fx.adapter.target as string, fx.addr(from), fx.addr(to), amountIn, 0n, route] as const;
    }

    /** Expires the open window through automation (past maxWindow), then refreshes the stale feeds. */
    async function expire(fx: Fx) {
      await time.increase(LIMITS.maxWindow);
      await expect(fx.rebalancer.connect(fx.outsider).performUpkeep("0x")).to.emit(fx.rebalancer, "RebalanceExpired").withArgs(2n);
      await refreshFeeds(fx.admin, fx.market);
    }

    it("replays the review's churn: oversell A and B into C, expire, re-open the same round, C back into A: every step reverts", async function () {
      const fx = await loadFixture(rebalanceFixture);
      const budgets = { cbBTC: await budgetByHand(fx, "cbBTC"), WETH: await budgetByHand(fx, "WETH") };
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      // 1. Oversell A (cbBTC) and B (WETH) into C (UNI): 1.5x what the targets require is refused.
      for (const s of ["cbBTC", "WETH"] as const) {
        const over = (budgets[s] * 3n) / 2n;
        await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...trade(fx, s, "UNI", over)))
          .to.be.revertedWithCustomError(fx.rebalancer, "SellAboveBudget").withArgs(fx.addr(s), over, near(budgets[s]));
        expect(near(budgets[s])(await fx.rebalancer.sellBudget(fx.addr(s)))).to.equal(true);
      }
      // ... and everything the budget allows goes through (the excess plus the 1% margin).
      for (const s of ["cbBTC", "WETH"] as const) await fx.rebalancer.connect(fx.keeper).executeTrade(...trade(fx, s, "UNI", budgets[s]));
      expect(await fx.rebalancer.sellBudget(fx.addr("cbBTC"))).to.equal(0n);
      // 2. Let the window expire through automation; someone donates UNI so that, priced afresh, UNI is
      //    now over-weight and cbBTC under-weight (the flip a re-pricing re-open would make).
      await expire(fx);
      await fx.token("UNI").mint(fx.vault, await worth(fx, "UNI", 60_000n));
      const fresh = await sidesByHand(fx);
      expect([fresh.get(fx.addr("UNI")), fresh.get(fx.addr("cbBTC"))]).to.deep.equal([SELL, BUY]);
      // 3. Re-open the same round: its sides and what is left of the budgets are the first open's.
      await expect(fx.rebalancer.connect(fx.keeper).openRebalance()).to.emit(fx.rebalancer, "RebalanceOpened").withArgs(2n);
      expect(await fx.rebalancer.direction(fx.addr("UNI"))).to.equal(BUY);
      expect(await fx.rebalancer.direction(fx.addr("cbBTC"))).to.equal(SELL);
      const [, sides] = await fx.rebalancer.openDirections();
      expect(sides.map((x) => x)).to.deep.equal([SELL, SELL, BUY, SELL]); // cbBTC, WETH, UNI, LINK: the first open's
      // 4. C back into A: refused, named; and A cannot be sold again past its spent budget.
      await time.increase(LIMITS.cooldown);
      const uni = await worth(fx, "UNI", 5_000n);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...trade(fx, "UNI", "cbBTC", uni)))
        .to.be.revertedWithCustomError(fx.rebalancer, "WrongDirection").withArgs(fx.addr("UNI"), BUY);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...trade(fx, "cbBTC", "UNI", 1n)))
        .to.be.revertedWithCustomError(fx.rebalancer, "SellAboveBudget").withArgs(fx.addr("cbBTC"), 1n, 0n);
    });

    it("keeps a round's sides across expiry and re-open even when a donation would flip them (C -> A refused)", async function () {
      const fx = await openRound2();
      await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx)); // $5k, within the budget
      await expire(fx);
      await fx.token("UNI").mint(fx.vault, await worth(fx, "UNI", 60_000n));
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      const uni = await worth(fx, "UNI", 5_000n);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...trade(fx, "UNI", "cbBTC", uni)))
        .to.be.revertedWithCustomError(fx.rebalancer, "WrongDirection").withArgs(fx.addr("UNI"), BUY);
    });

    it("fixes each seller's budget at first open (by hand), spends it across batches and windows, and refreshes it only for a new round", async function () {
      const fx = await loadFixture(rebalanceFixture);
      const btc = await budgetByHand(fx, "cbBTC");
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      expect(await fx.rebalancer.sellBudget(fx.addr("cbBTC"))).to.equal(btc);
      expect(await fx.rebalancer.sellBudget(fx.addr("UNI"))).to.equal(0n); // a buyer
      const link = await IERC20__factory.connect(fx.addr("LINK"), fx.admin).balanceOf(fx.vault);
      expect(await fx.rebalancer.sellBudget(fx.addr("LINK"))).to.equal(link); // leaving: all of it
      // Two sales of the same token in one batch draw on one budget (checked before the pair's cool-off).
      const part = btc / 3n;
      const t1 = { adapter: fx.adapter.target as string, tokenIn: fx.addr("cbBTC"), tokenOut: fx.addr("UNI"), amountIn: part, minAmountOut: 0n, routeData: viaUsdc(fx, "cbBTC", "UNI") };
      await expect(fx.rebalancer.connect(fx.keeper).executeTrades([t1, { ...t1, amountIn: btc - part + 1n }]))
        .to.be.revertedWithCustomError(fx.rebalancer, "SellAboveBudget").withArgs(fx.addr("cbBTC"), btc - part + 1n, near(btc - part));
      await fx.rebalancer.connect(fx.keeper).executeTrades([t1]);
      expect(near(btc - part)(await fx.rebalancer.sellBudget(fx.addr("cbBTC")))).to.equal(true);
      // The budget survives the window: expired, re-opened, what is left is left.
      await expire(fx);
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      expect(near(btc - part)(await fx.rebalancer.sellBudget(fx.addr("cbBTC")))).to.equal(true);
      // A new targets round (the same weights again) takes a fresh snapshot at the new balances.
      await fx.vault.setTargets(3, ROUND2.symbols.map(fx.addr), ROUND2.weights);
      const fresh = await budgetByHand(fx, "cbBTC");
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      expect(await fx.rebalancer.sellBudget(fx.addr("cbBTC"))).to.equal(fresh);
    });

    it("lets the admin set the turnover margin within 0..10% (default 1%) for rounds first opened afterwards", async function () {
      const fx = await loadFixture(rebalanceFixture);
      expect(await fx.rebalancer.turnoverMarginBps()).to.equal(MARGIN);
      await expect(fx.gov.exec(fx.rebalancer, "setTurnoverMarginBps", [1001])).to.be.revertedWithCustomError(fx.rebalancer, "InvalidLimit").withArgs("turnoverMarginBps");
      await expect(fx.rebalancer.connect(fx.keeper).setTurnoverMarginBps(0)).to.be.revertedWithCustomError(fx.rebalancer, "AccessControlUnauthorizedAccount");
      await expect(fx.gov.exec(fx.rebalancer, "setTurnoverMarginBps", [0])).to.emit(fx.rebalancer, "TurnoverMarginUpdated").withArgs(0n);
      const exact = await budgetByHand(fx, "WETH", 0n);
      await fx.rebalancer.connect(fx.keeper).openRebalance();
      // (stored as a fraction of the balance, ceil(budget * 1e18 / balance): up to balance / 1e18 base units more)
      expect(near(exact)(await fx.rebalancer.sellBudget(fx.addr("WETH")))).to.equal(true);
      // The planner's least-turnover plan fits the budgets with no margin at all, and the round closes.
      await fx.rebalancer.connect(fx.keeper).executeTrades(toTrades(await planFor(fx), fx.adapter.target as string));
      await expect(fx.rebalancer.connect(fx.keeper).closeRebalance()).to.emit(fx.rebalancer, "RebalanceClosed");
    });
  });

  describe("automation (checkUpkeep / performUpkeep)", function () {
    const action = (data: string) => AbiCoder.defaultAbiCoder().decode(["uint8"], data)[0] as bigint;
    const NONE = 0n, CLOSE = 1n, EXPIRE = 2n, OPEN = 3n, ACCRUE = 4n;

    it("opens for a new round, closes once within tolerance, then has nothing to do", async function () {
      const fx = await loadFixture(rebalanceFixture);
      let [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([true, OPEN]);
      await expect(fx.rebalancer.connect(fx.outsider).performUpkeep(data)).to.emit(fx.rebalancer, "RebalanceOpened").withArgs(2n);
      [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([false, NONE]); // out of tolerance: the keeper must trade
      await expect(fx.rebalancer.performUpkeep("0x")).to.be.revertedWithCustomError(fx.rebalancer, "UpkeepNotNeeded");
      await fx.rebalancer.connect(fx.keeper).executeTrades(toTrades(await planFor(fx), fx.adapter.target as string));
      [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([true, CLOSE]);
      await expect(fx.rebalancer.performUpkeep(data)).to.emit(fx.rebalancer, "RebalanceClosed");
      expect((await fx.rebalancer.window())[0]).to.equal(2n);
      [needed] = await fx.rebalancer.checkUpkeep("0x");
      expect(needed).to.equal(false);
      await expectUnitsFromBalances(fx.vault, fx.admin);
    });

    it("expires a window open past maxWindow and does not re-open that round by itself", async function () {
      const fx = await openRound2();
      await time.increase(LIMITS.maxWindow);
      const [needed, data] = await fx.rebalancer.checkUpkeep("0x"); // prices are stale too: close is not offered
      expect([needed, action(data)]).to.deep.equal([true, EXPIRE]);
      await expect(fx.rebalancer.performUpkeep(data)).to.emit(fx.rebalancer, "RebalanceExpired").withArgs(2n);
      const [completed, open] = await fx.rebalancer.window();
      expect([completed, open]).to.deep.equal([1n, 0n]);
      // The vault's window ended too: units written from balances. The vault keeps exactly the tokens it is
      // given; LINK (held, not a target, unsold, its feed stale) stays in the basket with its whole balance,
      // UNI (a target never bought) has a zero unit and is left out.
      expect(await fx.vault.rebalancing()).to.equal(false);
      const [tokens, units] = await fx.vault.basket();
      expect(tokens.map((t) => t.toLowerCase())).to.deep.equal(["cbBTC", "WETH", "LINK"].map((s) => fx.addr(s).toLowerCase()));
      expect(units[2]).to.be.greaterThan(0n);
      await expectUnitsFromBalances(fx.vault, fx.admin);
      // Holders still redeem their LINK (no price needed to redeem); the 2%/year fee accrues one more second.
      const [, preview] = await fx.vault.previewRedeem(10n * WAD);
      const minOut = preview.map((a) => (a * 999n) / 1000n);
      const linkBefore = await fx.token("LINK").balanceOf(fx.alice.address);
      await fx.vault.connect(fx.alice).redeem(10n * WAD, fx.alice.address, minOut);
      const linkOut = (await fx.token("LINK").balanceOf(fx.alice.address)) - linkBefore;
      expect(linkOut).to.be.at.least(minOut[2]!).and.at.most(preview[2]!);
      expect(minOut[2]).to.be.greaterThan(0n);
      await expectCollateralised(fx.vault);
      const [, next] = await fx.rebalancer.checkUpkeep("0x");
      expect(action(next)).to.equal(ACCRUE); // not OPEN: round 2 was opened once already
      await refreshFeeds(fx.admin, fx.market); // opening prices every token (the sides)
      await fx.rebalancer.connect(fx.keeper).openRebalance(); // the keeper may re-open it
    });

    for (const [leftUsd, kept] of [[5n, false], [50n, true]] as const) {
      it(`on expiry with fresh prices, ${kept ? "keeps" : "drops"} a held non-target the keeper left at $${leftUsd} (dust bound $10)`, async function () {
        const fx = await openRound2();
        // The keeper sells LINK into UNI but leaves $leftUsd of it, then lets the window expire.
        const [p, d] = await fx.registry.priceAndDecimals(fx.addr("LINK"));
        const left = (leftUsd * USD * 10n ** d) / p; // {tok} worth leftUsd (rounded down)
        const sell = (await fx.token("LINK").balanceOf(fx.vault)) - left;
        await fx.rebalancer.connect(fx.keeper).executeTrade(fx.adapter.target as string, fx.addr("LINK"), fx.addr("UNI"), sell, 0n, viaUsdc(fx, "LINK", "UNI"));
        await time.increase(LIMITS.maxWindow);
        await refreshFeeds(fx.admin, fx.market); // prices fresh: LINK's value can be read
        const [, data] = await fx.rebalancer.checkUpkeep("0x");
        expect(action(data)).to.equal(EXPIRE); // cbBTC and WETH are still far from 30%
        await expect(fx.rebalancer.performUpkeep(data)).to.emit(fx.rebalancer, "RebalanceExpired").withArgs(2n);
        const [tokens] = await fx.vault.basket();
        const want = kept ? ["cbBTC", "WETH", "UNI", "LINK"] : ["cbBTC", "WETH", "UNI"];
        expect(tokens.map((t) => t.toLowerCase())).to.deep.equal(want.map((s) => fx.addr(s).toLowerCase()));
        await expectUnitsFromBalances(fx.vault, fx.admin);
      });
    }

    it("accrues fees after the interval and re-checks on chain (a stale hint does nothing)", async function () {
      const fx = await openRound2();
      await time.increase(LIMITS.feeAccrualInterval);
      const [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([true, ACCRUE]);
      const pendingBefore = (await fx.vault.feeState())[3];
      await expect(fx.rebalancer.performUpkeep(data)).to.emit(fx.rebalancer, "UpkeepPerformed").withArgs(ACCRUE);
      const state = await fx.vault.feeState();
      expect(state[3]).to.be.greaterThan(pendingBefore);
      expect(state[4]).to.equal(BigInt(await time.latest()));
      await expect(fx.rebalancer.performUpkeep(data)).to.be.revertedWithCustomError(fx.rebalancer, "UpkeepNotNeeded");
    });

    it("does not offer to open while a price is stale (opening prices every token), and offers it once fresh", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await time.increase(2 * 86_400);
      const [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([true, ACCRUE]);
      await refreshFeeds(fx.admin, fx.market);
      const [, next] = await fx.rebalancer.checkUpkeep("0x");
      expect(action(next)).to.equal(OPEN);
    });

    it("while paused never closes an open window, but still expires it after maxWindow", async function () {
      const fx = await openRound2();
      await fx.vault.connect(fx.guardian).pause();
      const [needed, data] = await fx.rebalancer.checkUpkeep("0x");
      expect([needed, action(data)]).to.deep.equal([false, NONE]);
      const [, , openedAt] = await fx.rebalancer.window();
      await time.increaseTo(openedAt + BigInt(LIMITS.maxWindow));
      const [due, upkeep] = await fx.rebalancer.checkUpkeep("0x");
      expect([due, action(upkeep)]).to.deep.equal([true, EXPIRE]);
      await expect(fx.rebalancer.performUpkeep(upkeep)).to.emit(fx.rebalancer, "RebalanceExpired").withArgs(2n);
      expect((await fx.rebalancer.window())[1]).to.equal(0n);
    });

    it("does not open while paused", async function () {
      const fx = await loadFixture(rebalanceFixture);
      await fx.vault.connect(fx.guardian).pause();
      const [needed] = await fx.rebalancer.checkUpkeep("0x");
      expect(needed).to.equal(false);
      await expect(fx.rebalancer.connect(fx.keeper).openRebalance()).to.be.revertedWithCustomError(fx.vault, "RebalancePaused");
    });
  });

  describe("reentrancy", function () {
    async function withReentrantAdapter() {
      const fx = await openRound2();
      const bad = await ethers.deployContract("ReentrantAdapter");
      await fx.gov.exec(fx.rebalancer, "setAdapter", [bad.target, true]);
      await fx.token("UNI").mint(bad, 10n ** 30n);
      return { fx, bad };
    }

    it("an adapter cannot re-enter the vault's redeem or mint mid-trade", async function () {
      const { fx, bad } = await withReentrantAdapter();
      await fx.vault.connect(fx.alice).transfer(bad, WAD);
      await bad.setAttack(fx.vault, fx.vault.interface.encodeFunctionData("redeem", [WAD, await bad.getAddress(), [0n, 0n, 0n]]));
      const a = btcToUni(fx, 1_000n);
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x")).to.be.revertedWithCustomError(fx.vault, "ReentrancyGuardReentrantCall");
      await bad.setAttack(fx.vault, fx.vault.interface.encodeFunctionData("mint", [WAD, await bad.getAddress(), [0n, 0n, 0n]]));
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x")).to.be.revertedWithCustomError(fx.vault, "ReentrancyGuardReentrantCall");
    });

    it("an adapter cannot re-enter the vault's redeemSkipping mid-trade, nor its hooks even when it holds REBALANCER_ROLE", async function () {
      const { fx, bad } = await withReentrantAdapter();
      await fx.vault.connect(fx.alice).transfer(bad, WAD);
      const a = btcToUni(fx, 1_000n);
      const trade = () => fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x");
      await bad.setAttack(fx.vault, fx.vault.interface.encodeFunctionData("redeemSkipping", [WAD, await bad.getAddress(), [0n, 0n], [fx.addr("LINK")]]));
      await expect(trade()).to.be.revertedWithCustomError(fx.vault, "ReentrancyGuardReentrantCall");
      await fx.gov.exec(fx.vault, "grantRole", [REBALANCER_ROLE, bad.target]);
      for (const data of [
        fx.vault.interface.encodeFunctionData("beginRebalance", [[fx.addr("UNI")]]),
        fx.vault.interface.encodeFunctionData("executeTrades", [[]]),
        fx.vault.interface.encodeFunctionData("endRebalance", [[fx.addr("UNI")]]),
      ]) {
        await bad.setAttack(fx.vault, data);
        await expect(trade()).to.be.revertedWithCustomError(fx.vault, "ReentrancyGuardReentrantCall");
      }
      expect(await fx.vault.balanceOf(bad)).to.equal(WAD);
    });

    it("an adapter cannot re-enter the Rebalancer's permissionless performUpkeep, nor, holding the keeper role, open or batch", async function () {
      const { fx, bad } = await withReentrantAdapter();
      const a = btcToUni(fx, 1_000n);
      const trade = () => fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x");
      await bad.setAttack(fx.rebalancer, fx.rebalancer.interface.encodeFunctionData("performUpkeep", ["0x"]));
      await expect(trade()).to.be.revertedWithCustomError(fx.rebalancer, "ReentrancyGuardReentrantCall");
      await fx.gov.exec(fx.rebalancer, "grantRole", [KEEPER_ROLE, bad.target]);
      for (const data of [
        fx.rebalancer.interface.encodeFunctionData("openRebalance"),
        fx.rebalancer.interface.encodeFunctionData("executeTrades", [[{ adapter: a[0], tokenIn: a[1], tokenOut: a[2], amountIn: a[3], minAmountOut: 0n, routeData: a[5] }]]),
      ]) {
        await bad.setAttack(fx.rebalancer, data);
        await expect(trade()).to.be.revertedWithCustomError(fx.rebalancer, "ReentrancyGuardReentrantCall");
      }
    });

    it("an adapter holding the keeper role cannot re-enter the Rebalancer", async function () {
      const { fx, bad } = await withReentrantAdapter();
      await fx.gov.exec(fx.rebalancer, "grantRole", [KEEPER_ROLE, bad.target]);
      const a = btcToUni(fx, 1_000n);
      await bad.setAttack(fx.rebalancer, fx.rebalancer.interface.encodeFunctionData("executeTrade", [...a]));
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x")).to.be.revertedWithCustomError(fx.rebalancer, "ReentrancyGuardReentrantCall");
      await bad.setAttack(fx.rebalancer, fx.rebalancer.interface.encodeFunctionData("closeRebalance"));
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x")).to.be.revertedWithCustomError(fx.rebalancer, "ReentrancyGuardReentrantCall");
    });

    it("the vault's own floor check (TradeOutputBelowMin) stops an adapter that ignores minAmountOut", async function () {
      const { fx, bad } = await withReentrantAdapter();
      const a = btcToUni(fx, 1_000n);
      // cbBTC -> UNI 1:1 in base units is far below the oracle floor: the vault's own check names it.
      await expect(fx.rebalancer.connect(fx.keeper).executeTrade(bad.target as string, a[1], a[2], a[3], 0n, "0x")).to.be.revertedWithCustomError(fx.vault, "TradeOutputBelowMin");
    });
  });
});

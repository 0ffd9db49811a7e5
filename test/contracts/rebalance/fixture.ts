/**
 * The rebalancing fixture: the real local market (scripts/lib/market.ts: Uniswap V3 pools at feed prices),
 * the real UniswapV3Adapter, a PriceRegistry over the market's feeds, an IndexVault (2%/year fee) holding
 * round 1 (cbBTC 40%, WETH 40%, LINK 20%) for 1,000 shares (NAV0 $100 -> $100k) and a Rebalancer with the
 * vault's REBALANCER_ROLE. Round 1 is completed; round 2 (cbBTC 30%, WETH 30%, UNI 40%: LINK leaves, UNI
 * enters, the rest re-weight) is pushed, not yet opened.
 */
import { ethers } from "hardhat";
import { expect } from "chai";
import { id, type Signer } from "ethers";
import { deployMarket, deployUniswapV3Adapter, listPools, refreshFeeds, type MarketAddresses } from "../../../chain/market";
import { IERC20__factory, MockERC20__factory, type IndexVault, type Rebalancer } from "../../../typechain-types";
import { ROLES, WAD, deployGovernance, deployVault, expectCollateralised } from "../../fixtures/contracts";
import { planTrades, encodeV3Path, type Holding, type Plan } from "../../../src/planner";

export const REBALANCER_ROLE = id("REBALANCER_ROLE");
export const KEEPER_ROLE = id("KEEPER_ROLE");
export const USD = WAD;

export const LIMITS = {
  maxSlippageBps: 0, // ignored by the constructor: starts at 100
  toleranceBps: 50, // 0.5% of weight
  cooldown: 3600,
  maxWindow: 7 * 86_400,
  feeAccrualInterval: 86_400,
  maxTradeUsd: 50_000n * USD,
};

export const ROUND1 = { symbols: ["cbBTC", "WETH", "LINK"], weights: [(WAD * 4n) / 10n, (WAD * 4n) / 10n, WAD / 5n] };
export const ROUND2 = { symbols: ["cbBTC", "WETH", "UNI"], weights: [(WAD * 3n) / 10n, (WAD * 3n) / 10n, (WAD * 4n) / 10n] };

export async function rebalanceFixture() {
  const [admin, keeper, guardian, alice, outsider] = await ethers.getSigners();
  const market = await deployMarket(admin!, { symbols: ["BTC", "LINK", "UNI"] });
  const gov = await deployGovernance(ethers, admin!);
  gov.onWarp(() => refreshFeeds(admin!, market)); // the market's mock feeds stay fresh across governance delays
  const registry = await ethers.deployContract("PriceRegistry", [gov.address], admin);
  const vault = await deployVault(ethers, gov, registry, { feeRate: WAD / 50n });
  const rebalancer = (await ethers.deployContract("Rebalancer", [vault, gov.address, LIMITS], admin)) as unknown as Rebalancer;
  const adapter = await deployUniswapV3Adapter(admin!, market);
  await gov.batch([
    ...Object.values(market.tokens).map((t) => [registry, "setFeed", [t.address, t.feed, t.heartbeat]] as const),
    [vault, "grantRole", [ROLES.ORACLE, admin!.address]], // the admin EOA relays targets here
    [vault, "grantRole", [ROLES.GUARDIAN, guardian!.address]],
    [vault, "grantRole", [REBALANCER_ROLE, rebalancer.target]],
    [rebalancer, "grantRole", [KEEPER_ROLE, keeper!.address]],
    [rebalancer, "setAdapter", [adapter.target, true]],
  ]);
  // The governance delay passed a fee-accrual interval: accrue once so the fixture starts with no upkeep due.
  const [due, upkeep] = await rebalancer.checkUpkeep("0x");
  if (due) await rebalancer.performUpkeep(upkeep);
  const addr = (s: string) => market.tokens[s]!.address;
  const token = (s: string) => MockERC20__factory.connect(addr(s), admin!);

  await vault.setTargets(1, ROUND1.symbols.map(addr), ROUND1.weights);
  for (const s of Object.keys(market.tokens)) {
    await token(s).mint(alice!.address, 10n ** 30n);
    await token(s).connect(alice!).approve(vault, ethers.MaxUint256);
  }
  const [, amounts] = await vault.previewMint(1000n * WAD);
  await vault.connect(alice!).mint(1000n * WAD, alice!.address, [...amounts]);
  await rebalancer.connect(keeper!).openRebalance();
  await rebalancer.connect(keeper!).closeRebalance(); // the seeded basket is round 1 to within rounding
  await vault.setTargets(2, ROUND2.symbols.map(addr), ROUND2.weights);
  return { admin: admin!, gov, keeper: keeper!, guardian: guardian!, alice: alice!, outsider: outsider!, market, registry, vault, rebalancer, adapter, addr, token };
}

export type Fx = Awaited<ReturnType<typeof rebalanceFixture>>;

/** The planner's trades from the vault's balances to its current targets, at the registry's prices. */
export async function planFor(fx: Fx, opts: { maxTradeUsd?: bigint; dustUsd?: bigint } = {}): Promise<Plan> {
  const { vault, registry, market } = fx;
  const [, tokens, weights] = await vault.targets();
  const [held] = await vault.basket();
  const all = [...new Set([...held, ...tokens])];
  const bySymbol = Object.entries(market.tokens);
  const basket: Holding[] = [];
  const prices: Record<string, bigint> = {};
  for (const a of all) {
    const [sym, t] = bySymbol.find(([, t]) => t.address.toLowerCase() === a.toLowerCase())!;
    basket.push({ address: a, symbol: sym, decimals: t.decimals, balance: await IERC20__factory.connect(a, fx.admin).balanceOf(vault) });
    prices[a] = await registry.price(a);
  }
  const targets: Record<string, bigint> = {};
  tokens.forEach((t, i) => (targets[t] = weights[i]!));
  const pools = (await listPools(ethers.provider, market)).map((p) => ({ tokenA: p.tokenA, tokenB: p.tokenB, fee: p.fee }));
  return planTrades({
    basket, prices, targets, pools, hubs: market.hubs.map((h) => market.tokens[h]!.address),
    maxTradeUsd: opts.maxTradeUsd ?? LIMITS.maxTradeUsd, dustUsd: opts.dustUsd ?? 10n * USD,
  });
}

/** Planner trades as Rebalancer.Trade structs through `adapter`. */
export function toTrades(plan: Plan, adapter: string) {
  return plan.trades.map((t) => ({
    adapter, tokenIn: t.tokenIn, tokenOut: t.tokenOut, amountIn: t.amountIn, minAmountOut: t.minAmountOut,
    routeData: encodeV3Path(t.path, t.fees),
  }));
}

/**
 * Units equal floor(balance * 1e18 / effectiveSupply) for every held token, scale 1e18: in a window (derived
 * on read) and after a close (written). Read at one block so S and balances are the same instant.
 */
export async function expectUnitsFromBalances(vault: IndexVault, runner: Signer): Promise<void> {
  const blockTag = await ethers.provider.getBlockNumber();
  const [tokens, stored, scale] = await vault.rawBasket({ blockTag });
  expect(scale).to.equal(WAD);
  const supply = await vault.effectiveSupply({ blockTag });
  for (let i = 0; i < tokens.length; i++) {
    const bal = await IERC20__factory.connect(tokens[i]!, runner).balanceOf(vault, { blockTag });
    expect(stored[i], `unit of ${tokens[i]}`).to.equal((bal * WAD) / supply);
  }
  await expectCollateralised(vault);
}

/** IndexVault's `_hot` storage slot (after ERC20 0-2 + name/symbol 3-4, EIP712 5-6, Nonces 7, AccessControl 8). */
const HOT_SLOT = 9;

/**
 * Everything a rejected call must leave unchanged: the vault's balances, supply, record tokens, mode and
 * raw hot slot (scale, fee stamp, pending fees, basket version: any write moves one of them), the window,
 * the pair's trade time.
 * Time-dependent views (units accrue fees; in a window they follow balances over S) are left out.
 */
export async function snapshotState(fx: Fx, pair: [string, string] = [fx.addr("cbBTC"), fx.addr("UNI")]) {
  const { vault, rebalancer, market } = fx;
  const balances = await Promise.all(Object.values(market.tokens).map((t) => IERC20__factory.connect(t.address, fx.admin).balanceOf(vault)));
  return JSON.stringify(
    {
      tokens: (await vault.rawBasket())[0], mode: [await vault.paused(), await vault.rebalancing()], hot: await ethers.provider.getStorage(vault, HOT_SLOT),
      supply: await vault.totalSupply(), window: await rebalancer.window(), last: await rebalancer.lastTradeAt(...pair), balances,
    },
    (_, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}

export type { MarketAddresses };

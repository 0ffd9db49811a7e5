/**
 * bench:gas's "zap" entry (issue 11): one-token mint and redeem of N = 10 constituents through IndexZap on the
 * local market (real Uniswap V3), against a bound measured in the same run from the same state (evm_snapshot /
 * evm_revert): the in-kind mint (redeem) plus the same swaps sent directly to SwapRouter by the user (exactOutput
 * for mint, exactInput for redeem, same paths and amounts), each counted without its 21,000 base, plus one
 * 21,000. The user holds only USDC (mint) or only shares (redeem); approvals are standing and set beforehand.
 * Also the round-trip cost of a $10,000 mint-then-redeem in bps of NAV, beside the pools' fee tiers.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { quoteZapOnChain } from "../../chain/zap";

export interface ZapGasSide {
  n: number;
  gas: number;
  directGas: number;
}

export interface ZapBench {
  mint: ZapGasSide;
  redeem: ZapGasSide;
  roundTrip: {
    /** {USD} NAV of the shares minted and redeemed. */
    navUsd: number;
    /** {USDC} paid for the mint and received from the redeem. */
    paidUsdc: number;
    receivedUsdc: number;
    /** (paid - received) / NAV, in bps. */
    costBps: number;
    /**
     * The pools' fee tiers on the routes taken, weighted by each leg's USDC amount (a multi-hop route counts
     * the sum of its tiers), in bps: the mint's plus the redeem's. The part of costBps that is not price impact.
     */
    feeTierBps: number;
  };
}

const BASE = 21_000n;
const SYMBOLS = ["BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "AVAX", "LINK", "UNI", "AAVE"] as const;

export async function benchZap(hre: HardhatRuntimeEnvironment): Promise<ZapBench> {
  const { ethers } = hre;
  const { deployMarket, uniswapContracts, marketSymbol } = await import("../../chain/market");
  const [admin, user] = await ethers.getSigners();
  if (!admin || !user) throw new Error("bench:gas needs two accounts");
  const WAD = 10n ** 18n;
  const send = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => (await (await tx).wait())!.gasUsed;
  const market = await deployMarket(admin, { symbols: [...SYMBOLS] });
  const addr = (s: string) => market.tokens[s]!.address;
  // The admin is a timelock (the contracts refuse anything else); the setup waits out its delay once.
  const { deployTimelock, govCall, govern } = await import("../../chain/governance");
  const { refreshFeeds } = await import("../../chain/market");
  const timelock = await deployTimelock(admin, [admin.address], [admin.address]);
  const registry = await ethers.deployContract("PriceRegistry", [timelock.target], admin);
  const vault = await ethers.deployContract(
    "IndexVault",
    [{ name: "Bench zap", symbol: "BZAP", admin: timelock.target, priceRegistry: await registry.getAddress(), initialNavPerShare: 100n * WAD, maxFeeRate: WAD / 10n, feeRate: 2n * 10n ** 16n, feeRecipient: admin.address }],
    admin,
  );
  const setup = await Promise.all([
    ...Object.values(market.tokens).map((t) => govCall(registry, "setFeed", [t.address, t.feed, t.heartbeat])),
    govCall(vault, "grantRole", [await vault.ORACLE_ROLE(), admin.address]),
  ]);
  await (await govern(timelock, setup, { beforeExecute: () => refreshFeeds(admin, market) })).wait();
  const constituents = SYMBOLS.map((s) => addr(marketSymbol(s)));
  const n = constituents.length;
  const weights = constituents.map(() => WAD / BigInt(n));
  weights[0]! += WAD - weights.reduce((a, b) => a + b, 0n);
  await send(vault.setTargets(1, constituents, weights));
  const erc20 = (a: string) => ethers.getContractAt("MockERC20", a);
  for (const t of constituents) {
    await send((await erc20(t)).mint(admin.address, 10n ** 30n));
    await send((await erc20(t)).approve(vault, ethers.MaxUint256));
  }
  const [, seed] = await vault.previewMint(10_000n * WAD);
  await send(vault.mint(10_000n * WAD, admin.address, [...seed]));
  const zap = await ethers.deployContract("IndexZap", [market.uniswap.router, 0, addr("WETH")], admin);
  const usdc = await erc20(addr("USDC"));
  await send(usdc.mint(user.address, 10n ** 15n));
  const { router } = uniswapContracts(market, user);
  for (const spender of [zap, router]) await send(usdc.connect(user).approve(spender, ethers.MaxUint256));
  for (const t of constituents) {
    const c = (await erc20(t)).connect(user);
    await send(c.approve(vault, ethers.MaxUint256));
    await send(c.approve(router, ethers.MaxUint256));
  }
  await send(vault.connect(user).approve(zap, ethers.MaxUint256));
  const zm = { factory: market.uniswap.factory, quoter: market.uniswap.quoter, hubs: [addr("USDC"), addr("WETH")] };
  const deadline = 2n ** 48n;
  const zu = zap.connect(user);
  const vu = vault.connect(user);

  const zapMint = async (shares: bigint) => {
    const q = await quoteZapOnChain(ethers.provider, zm, { side: "mint", vault: await vault.getAddress(), shares, payToken: addr("USDC") });
    const p = { vault, shares, receiver: user.address, tokenIn: addr("USDC"), maxAmountIn: q.bound, deadline, routes: [...q.routes] };
    return { q, p };
  };
  const zapRedeem = async (shares: bigint) => {
    const q = await quoteZapOnChain(ethers.provider, zm, { side: "redeem", vault: await vault.getAddress(), shares, payToken: addr("USDC") });
    const p = { vault, shares, receiver: user.address, tokenOut: addr("USDC"), minAmountOut: q.bound, deadline, routes: [...q.routes] };
    return { q, p };
  };

  // Warm-up: the zap's standing router allowances (USDC for mint, every constituent for redeem: set once per
  // token for the zap's lifetime); the user then holds 10 shares.
  const shares = 10n * WAD;
  await send(zu.mint((await zapMint(2n * shares)).p));
  await send(zu.redeem((await zapRedeem(shares)).p));

  // == Mint ==
  const m = await zapMint(shares);
  let snap = await hre.network.provider.send("evm_snapshot", []);
  const mintGas = await send(zu.mint(m.p));
  await hre.network.provider.send("evm_revert", [snap]);
  const [, amounts] = await vault.previewMint(shares);
  let directMint = BASE;
  for (let i = 0; i < n; i++) {
    const leg = m.q.legs[i]!;
    if (leg.route === undefined) continue;
    directMint += (await send(router.exactOutput({ path: m.q.routes[i]!, recipient: user.address, deadline, amountOut: amounts[i]!, amountInMaximum: m.q.bound }))) - BASE;
  }
  directMint += (await send(vu.mint(shares, user.address, [...amounts]))) - BASE;
  await hre.network.provider.send("evm_revert", [snap]);

  // == Redeem ==
  snap = await hre.network.provider.send("evm_snapshot", []);
  const r = await zapRedeem(shares);
  const redeemGas = await send(zu.redeem(r.p));
  await hre.network.provider.send("evm_revert", [snap]);
  snap = await hre.network.provider.send("evm_snapshot", []);
  let directRedeem = BASE + (await send(vu.redeem(shares, user.address, constituents.map(() => 0n)))) - BASE;
  for (let i = 0; i < n; i++) {
    if (r.q.legs[i]!.route === undefined) continue;
    const amountIn = await (await erc20(r.q.legs[i]!.token)).balanceOf(user.address); // what the redeem paid
    directRedeem += (await send(router.exactInput({ path: r.q.routes[i]!, recipient: user.address, deadline, amountIn, amountOutMinimum: 0n }))) - BASE;
  }
  await hre.network.provider.send("evm_revert", [snap]);

  // == Round trip: $10,000 (100 shares at NAV $100) minted with USDC, then redeemed to USDC ==
  const rtShares = 100n * WAD;
  const nav = ((await vault.navPerShare()) * rtShares) / WAD;
  const before = await usdc.balanceOf(user.address);
  await send(zu.mint((await zapMint(rtShares)).p));
  const mid = await usdc.balanceOf(user.address);
  await send(zu.redeem((await zapRedeem(rtShares)).p));
  const after = await usdc.balanceOf(user.address);
  const paid = before - mid;
  const received = after - mid;
  const usd = (x: bigint, dec: number) => Number(x) / 10 ** dec;
  const weightedFeeBps = (q: typeof m.q) => {
    const total = q.legs.reduce((a, l) => a + l.payAmount, 0n);
    const w = q.legs.reduce((a, l) => a + l.payAmount * BigInt((l.route?.fees ?? []).reduce((x, f) => x + f, 0)), 0n);
    return Number((w * 1000n) / total) / 1000 / 100; // fee units are 1e-6; bps = fee / 100
  };
  const feeTierBps = weightedFeeBps((await zapMint(rtShares)).q) + weightedFeeBps((await zapRedeem(rtShares)).q);
  return {
    mint: { n, gas: Number(mintGas), directGas: Number(directMint) },
    redeem: { n, gas: Number(redeemGas), directGas: Number(directRedeem) },
    roundTrip: {
      navUsd: usd(nav, 18), paidUsdc: usd(paid, 6), receivedUsdc: usd(received, 6),
      costBps: Number(((paid - received) * 10n ** 12n * 10_000n * 1000n) / nav) / 1000,
      feeTierBps: Math.round(feeTierBps * 1000) / 1000,
    },
  };
}

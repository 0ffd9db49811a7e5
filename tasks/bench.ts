import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import Table from "cli-table3";
import { fail, userErrors } from "./lib/args";
import { checkOutputPath, writeOutputFile } from "./lib/output";
import type { ZapBench } from "./lib/zap-bench";

/**
 * `bench:gas`: in-kind mint and redeem gas of IndexVault for baskets of N constituents, beside a bound
 * measured in the same run with the same tokens and approvals (issue 2):
 *   mint bound   = sum_i (transferFrom_i - 21000) + (minimal ERC-20 _mint - 21000) + 21000
 *   redeem bound = sum_i (transfer_i - 21000)     + (minimal ERC-20 _burn - 21000) + 21000
 * Steady state: the vault already holds every constituent, the user already holds shares and
 * constituents, approvals are for the maximum (no allowance write), and the vault charges a 2%/year
 * management fee, so every measured mint/redeem also accrues fees.
 */

export const BENCH_SIZES = [1, 7, 10, 20] as const;
const BASE = 21_000n;
const FEE_RATE = 2n * 10n ** 16n; // 2%/year

export interface GasRow {
  n: number;
  gas: number;
  bound: number;
}
/**
 * One steady-state rebalance trade (WETH -> UNI, direct 0.3% pool, $5k) through Rebalancer ->
 * IndexVault.executeTrades -> UniswapV3Adapter -> SwapRouter on the local market, and the same swap
 * (same path, amountIn and chain state, via evm_snapshot/evm_revert) sent directly to SwapRouter by an EOA;
 * `overhead` = gas - directSwapGas. The vault writes no basket per trade: it writes one record when the
 * window opens and one when it closes, so the per-rebalance cost is shown apart, as whole transactions:
 * `openGas` = Rebalancer.openRebalance (allowed-token snapshot + vault.beginRebalance: the record of the held
 * basket plus the targets) and `closeGas` = Rebalancer.closeRebalance (tolerance and dust checks at feed
 * prices + vault.endRebalance: final units from balances), both for `basketSize` tokens (held + targets).
 * The close is measured right after the trade with the tolerance and dust bounds opened wide (one trade does
 * not reach the targets); its work does not depend on how far the weights are from them.
 */
export interface TradeGas {
  gas: number;
  directSwapGas: number;
  overhead: number;
  openGas: number;
  closeGas: number;
  basketSize: number;
}

export interface GasReport {
  mint: GasRow[];
  redeem: GasRow[];
  trade?: TradeGas;
  /** One-token mint/redeem through IndexZap against in-kind + direct SwapRouter swaps (issue 11). */
  zap?: ZapBench;
}

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("bench:gas: transaction was dropped");
  return receipt.gasUsed;
}

export async function benchGas(hre: HardhatRuntimeEnvironment, sizes: readonly number[] = BENCH_SIZES): Promise<GasReport> {
  const { ethers } = hre;
  const [admin, user, spender] = await ethers.getSigners();
  if (!admin || !user || !spender) throw new Error("bench:gas needs three accounts");
  const WAD = 10n ** 18n;
  const report: GasReport = { mint: [], redeem: [] };
  const MAX = ethers.MaxUint256;

  // The bound's share token: a minimal OpenZeppelin ERC-20 with _mint/_burn exposed, in steady state.
  const shareBound = await ethers.deployContract("BenchERC20", [], admin);
  await (await shareBound.mint(user.address, 100n * WAD)).wait();

  const { deployTimelock, govCall, govern } = await import("../chain/governance");
  for (const n of sizes) {
    // The admin is a timelock (the contracts refuse anything else); the setup waits out its delay once.
    const timelock = await deployTimelock(admin, [admin.address], [admin.address]);
    const registry = await ethers.deployContract("PriceRegistry", [timelock.target], admin);
    const tokens = [];
    const feeds: import("../typechain-types").MockAggregator[] = [];
    for (let i = 0; i < n; i++) {
      tokens.push(await ethers.deployContract("MockERC20", [`Bench ${i}`, `B${i}`, 18], admin));
      feeds.push(await ethers.deployContract("MockAggregator", [8, BigInt(i + 1) * 10n ** 8n], admin));
    }
    const vault = await ethers.deployContract(
      "IndexVault",
      [
        {
          name: `Bench ${n}`,
          symbol: `BENCH${n}`,
          admin: timelock.target,
          priceRegistry: await registry.getAddress(),
          initialNavPerShare: 100n * WAD,
          maxFeeRate: WAD / 10n,
          feeRate: FEE_RATE,
          feeRecipient: admin.address,
        },
      ],
      admin,
    );
    const vaultAddress = await vault.getAddress();
    // The admin EOA acts as the oracle here: the benchmark measures mint/redeem, not report relaying.
    const setup = await Promise.all([
      ...tokens.map((t, i) => govCall(registry, "setFeed", [t.target, feeds[i]!.target, 86_400])),
      govCall(vault, "grantRole", [await vault.ORACLE_ROLE(), admin.address]),
    ]);
    const restamp = async () => { for (const f of feeds) await (await f.updateAnswer(await f.latestAnswer())).wait(); };
    await (await govern(timelock, setup, { beforeExecute: restamp })).wait();
    const weights = Array.from({ length: n }, () => WAD / BigInt(n));
    weights[0]! += WAD - weights.reduce((a, b) => a + b, 0n);
    await (await vault.setTargets(1, tokens, weights)).wait();
    for (const t of tokens) {
      await (await t.mint(user.address, 10n ** 30n)).wait();
      await (await t.connect(user).approve(vaultAddress, MAX)).wait();
      await (await t.connect(user).approve(spender.address, MAX)).wait();
    }
    // Warm-up: the first mint seeds the basket; a second makes the state steady.
    for (const shares of [10n * WAD, 10n * WAD]) {
      const [, amounts] = await vault.previewMint(shares);
      await (await vault.connect(user).mint(shares, user.address, [...amounts])).wait();
    }

    const shares = WAD;
    const [, inAmounts] = await vault.previewMint(shares);
    const mintGas = await gasOf(vault.connect(user).mint(shares, user.address, [...inAmounts]));
    const [, outAmounts] = await vault.previewRedeem(shares);
    // The fee accrues one more second before the redeem is mined: allow 0.1% like a user would.
    const minOut = outAmounts.map((a) => (a * 999n) / 1000n);
    const redeemGas = await gasOf(vault.connect(user).redeem(shares, user.address, minOut));

    // Bounds, same tokens and approvals: transferFrom user -> vault by an approved spender, transfer user -> vault.
    let mintBound = BASE;
    let redeemBound = BASE;
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      mintBound += (await gasOf(t.connect(spender).transferFrom(user.address, vaultAddress, inAmounts[i]!))) - BASE;
      redeemBound += (await gasOf(t.connect(user).transfer(vaultAddress, outAmounts[i]!))) - BASE;
    }
    mintBound += (await gasOf(shareBound.mint(user.address, shares))) - BASE;
    redeemBound += (await gasOf(shareBound.burn(user.address, shares))) - BASE;

    report.mint.push({ n, gas: Number(mintGas), bound: Number(mintBound) });
    report.redeem.push({ n, gas: Number(redeemGas), bound: Number(redeemBound) });
  }
  return report;
}

export async function benchTrade(hre: HardhatRuntimeEnvironment): Promise<TradeGas> {
  const { ethers } = hre;
  const { deployMarket, deployUniswapV3Adapter, encodePath, swapDirect, FEE_TOKEN_HUB } = await import("../chain/market");
  const [admin, keeper, user] = await ethers.getSigners();
  if (!admin || !keeper || !user) throw new Error("bench:gas needs three accounts");
  const WAD = 10n ** 18n;
  const market = await deployMarket(admin, { symbols: ["BTC", "LINK", "UNI"] });
  const addr = (s: string) => market.tokens[s]!.address;
  const { deployTimelock, govCall, govern } = await import("../chain/governance");
  const { refreshFeeds } = await import("../chain/market");
  const timelock = await deployTimelock(admin, [admin.address], [admin.address]);
  const restamp = () => refreshFeeds(admin, market);
  const registry = await ethers.deployContract("PriceRegistry", [timelock.target], admin);
  const vault = await ethers.deployContract(
    "IndexVault",
    [{ name: "Bench trade", symbol: "BTRADE", admin: timelock.target, priceRegistry: await registry.getAddress(), initialNavPerShare: 100n * WAD, maxFeeRate: WAD / 10n, feeRate: FEE_RATE, feeRecipient: admin.address }],
    admin,
  );
  const limits = { maxSlippageBps: 0, toleranceBps: 50, cooldown: 3600, maxWindow: 7 * 86_400, feeAccrualInterval: 86_400, maxTradeUsd: 50_000n * WAD };
  const rebalancer = await ethers.deployContract("Rebalancer", [vault, timelock.target, limits], admin);
  const adapter = await deployUniswapV3Adapter(admin, market);
  const setup = await Promise.all([
    ...Object.values(market.tokens).map((t) => govCall(registry, "setFeed", [t.address, t.feed, t.heartbeat])),
    govCall(vault, "grantRole", [await vault.REBALANCER_ROLE(), rebalancer.target]),
    govCall(vault, "grantRole", [await vault.ORACLE_ROLE(), admin.address]),
    govCall(rebalancer, "grantRole", [await rebalancer.KEEPER_ROLE(), keeper.address]),
    govCall(rebalancer, "setAdapter", [adapter.target, true]),
  ]);
  await (await govern(timelock, setup, { beforeExecute: restamp })).wait();
  // Round 1 (cbBTC, WETH, LINK) minted for $100k; round 2 brings UNI in.
  await (await vault.setTargets(1, [addr("cbBTC"), addr("WETH"), addr("LINK")], [WAD * 4n / 10n, WAD * 4n / 10n, WAD / 5n])).wait();
  for (const s of Object.keys(market.tokens)) {
    const t = await ethers.getContractAt("MockERC20", addr(s));
    await (await t.mint(user.address, 10n ** 30n)).wait();
    await (await t.connect(user).approve(vault, ethers.MaxUint256)).wait();
  }
  const [, amounts] = await vault.previewMint(1000n * WAD);
  await (await vault.connect(user).mint(1000n * WAD, user.address, [...amounts])).wait();
  await (await vault.setTargets(2, [addr("cbBTC"), addr("WETH"), addr("UNI")], [WAD * 3n / 10n, WAD * 3n / 10n, WAD * 4n / 10n])).wait();
  const openGas = await gasOf(rebalancer.connect(keeper).openRebalance());

  const path = encodePath([addr("WETH"), addr("UNI")], [FEE_TOKEN_HUB]);
  const amountIn = (5_000n * WAD) / 3_300n; // $5k of WETH
  const trade = () => rebalancer.connect(keeper).executeTrade(adapter, addr("WETH"), addr("UNI"), amountIn, 0n, path);
  // Warm-up: the adapter's router allowance, UNI in the basket, the pair's cool-off record; then wait out the cool-off.
  await (await trade()).wait();
  await hre.network.provider.send("evm_increaseTime", [limits.cooldown]);
  await hre.network.provider.send("evm_mine", []);
  // The direct swapper holds WETH and has approved the router before the snapshot.
  const weth = await ethers.getContractAt("MockERC20", addr("WETH"));
  await (await weth.mint(admin.address, amountIn * 10n)).wait();
  await (await weth.approve(market.uniswap.router, ethers.MaxUint256)).wait();

  const snap = await hre.network.provider.send("evm_snapshot", []);
  const gas = await gasOf(trade());
  // The close after that trade, bounds opened wide (LINK is still held outside the targets).
  const wide = [await govCall(rebalancer, "setLimits", [{ ...limits, toleranceBps: 10_000 }]), await govCall(rebalancer, "setMaxDustUsd", [ethers.MaxUint256])];
  await (await govern(timelock, wide, { beforeExecute: restamp })).wait();
  const closeGas = await gasOf(rebalancer.connect(keeper).closeRebalance());
  const [tokens] = await vault.basket();
  await hre.network.provider.send("evm_revert", [snap]);
  const direct = await swapDirect(admin, market, path, amountIn);
  return {
    gas: Number(gas), directSwapGas: Number(direct.gasUsed), overhead: Number(gas - direct.gasUsed),
    openGas: Number(openGas), closeGas: Number(closeGas), basketSize: tokens.length,
  };
}

export function gasTable(report: GasReport): string {
  const table = new Table({ head: ["op", "N", "gas", "bound", "gas / bound"] });
  for (const op of ["mint", "redeem"] as const) {
    for (const r of report[op]) table.push([op, r.n, r.gas, r.bound, (r.gas / r.bound).toFixed(3)]);
  }
  if (report.trade) {
    const t = report.trade;
    table.push(["trade (bound = direct SwapRouter swap)", t.basketSize, t.gas, t.directSwapGas, (t.gas / t.directSwapGas).toFixed(3)]);
    table.push([{ colSpan: 5, content: `trade overhead ${t.overhead} gas (no basket write per trade); per rebalance (N = ${t.basketSize}): open ${t.openGas}, close ${t.closeGas}` }]);
  }
  if (report.zap) {
    const z = report.zap;
    for (const op of ["mint", "redeem"] as const) table.push([`zap ${op} (bound = in-kind + direct swaps)`, z[op].n, z[op].gas, z[op].directGas, (z[op].gas / z[op].directGas).toFixed(3)]);
    const rt = z.roundTrip;
    table.push([{ colSpan: 5, content: `zap round trip $${rt.navUsd.toFixed(0)}: paid ${rt.paidUsdc} USDC, got ${rt.receivedUsdc} USDC back: ${rt.costBps} bps of NAV (pool fee tiers on the routes: ${rt.feeTierBps} bps)` }]);
  }
  return table.toString();
}

task("bench:gas", "Gas of in-kind mint/redeem for N = 1, 7, 10, 20 against the transfer + _mint/_burn bound, and of one rebalance trade against the direct SwapRouter swap")
  .addOptionalParam("out", "Write the JSON report to this file", undefined, types.string)
  .addFlag("json", "Print only the JSON report on stdout")
  .setAction(async (args: { out?: string; json: boolean }, hre) =>
    userErrors(async () => {
      if (hre.network.name !== "hardhat") fail(`bench:gas runs on the in-process "hardhat" network, not "${hre.network.name}"`);
      if (args.out) checkOutputPath(args.out);
      await hre.run("compile", { quiet: true });
      const report = await benchGas(hre);
      report.trade = await benchTrade(hre);
      report.zap = await (await import("./lib/zap-bench")).benchZap(hre);
      const json = JSON.stringify(report, null, 2);
      if (args.out) writeOutputFile(args.out, json + "\n");
      if (args.json) console.log(json);
      else console.log(gasTable(report));
      return report;
    }),
  );

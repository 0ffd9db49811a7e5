import { writeFileSync } from "node:fs";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import Table from "cli-table3";
import { fail, userErrors } from "./lib/args";

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
export interface GasReport {
  mint: GasRow[];
  redeem: GasRow[];
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

  for (const n of sizes) {
    const registry = await ethers.deployContract("PriceRegistry", [admin.address], admin);
    const tokens = [];
    for (let i = 0; i < n; i++) {
      const token = await ethers.deployContract("MockERC20", [`Bench ${i}`, `B${i}`, 18], admin);
      const feed = await ethers.deployContract("MockAggregator", [8, BigInt(i + 1) * 10n ** 8n], admin);
      await (await registry.setFeed(token, feed, 86_400)).wait();
      tokens.push(token);
    }
    const vault = await ethers.deployContract(
      "IndexVault",
      [
        {
          name: `Bench ${n}`,
          symbol: `BENCH${n}`,
          admin: admin.address,
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
    await (await vault.grantRole(await vault.ORACLE_ROLE(), admin.address)).wait();
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

export function gasTable(report: GasReport): string {
  const table = new Table({ head: ["op", "N", "gas", "bound", "gas / bound"] });
  for (const op of ["mint", "redeem"] as const) {
    for (const r of report[op]) table.push([op, r.n, r.gas, r.bound, (r.gas / r.bound).toFixed(3)]);
  }
  return table.toString();
}

task("bench:gas", "Gas of in-kind mint/redeem for N = 1, 7, 10, 20 against the transfer + _mint/_burn bound")
  .addOptionalParam("out", "Write the JSON report to this file", undefined, types.string)
  .addFlag("json", "Print only the JSON report on stdout")
  .setAction(async (args: { out?: string; json: boolean }, hre) =>
    userErrors(async () => {
      if (hre.network.name !== "hardhat") fail(`bench:gas runs on the in-process "hardhat" network, not "${hre.network.name}"`);
      await hre.run("compile", { quiet: true });
      const report = await benchGas(hre);
      const json = JSON.stringify(report, null, 2);
      if (args.out) writeFileSync(args.out, json + "\n");
      if (args.json) console.log(json);
      else console.log(gasTable(report));
      return report;
    }),
  );

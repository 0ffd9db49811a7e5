import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { USDC, WAD, deployVault, makeReport, signReport, vaultConfig, vaultFactory, type Fixture } from "./fixture";
import type { UssiReentrantToken, UssiVault } from "../../../typechain-types";

/** A vault whose "USDC" calls back into the vault from inside a transfer. */
async function reentrant(): Promise<Fixture & { rusd: UssiReentrantToken; rvault: UssiVault }> {
  const f = await deployVault();
  const rusd = await ethers.deployContract("UssiReentrantToken");
  const rvault = (await (await vaultFactory()).deploy(await vaultConfig({ ...f, usdc: rusd }))) as unknown as UssiVault;
  const g = { ...f, vault: rvault };
  for (const u of [f.alice, f.strategy]) {
    await rusd.mint(u.address, 1_000_000n * USDC);
    await rusd.connect(u).approve(await rvault.getAddress(), ethers.MaxUint256);
  }
  await rvault.connect(f.alice).requestDeposit(1_000n * USDC); // request 0
  const report = await makeReport({ round: 1n });
  await rvault.submitNavReport(report, await signReport(g, report));
  await rvault.connect(f.alice).claim(0);
  await rvault.connect(f.alice).requestRedeem(10n * WAD); // request 1
  const next = await makeReport({ round: 2n, timestamp: report.timestamp + 1n });
  await rvault.submitNavReport(next, await signReport(g, next));
  return { ...f, rusd, rvault };
}

describe("UssiVault reentrancy", function () {
  const entries: { name: string; arm: (v: UssiVault) => string; act: (f: Awaited<ReturnType<typeof reentrant>>) => Promise<unknown> }[] = [
    {
      name: "claim re-entered from its own payout",
      arm: (v) => v.interface.encodeFunctionData("claim", [1]),
      act: async (f) => f.rvault.connect(f.alice).claim(1),
    },
    {
      name: "redeem re-entered from its own payout",
      arm: (v) => v.interface.encodeFunctionData("redeem", [WAD, 0]),
      act: async (f) => f.rvault.connect(f.alice).redeem(WAD, 0),
    },
    {
      name: "requestDeposit re-entered from its own pull",
      arm: (v) => v.interface.encodeFunctionData("requestDeposit", [100n * USDC]),
      act: async (f) => f.rvault.connect(f.alice).requestDeposit(100n * USDC),

    },
    ...(
      [
        ["requestDepositIndex", (v: UssiVault) => v.interface.encodeFunctionData("requestDepositIndex", [100n * WAD])],
        ["fulfil", (v: UssiVault) => v.interface.encodeFunctionData("fulfil", [USDC])],
        ["withdrawToVenue", (v: UssiVault) => v.interface.encodeFunctionData("withdrawToVenue", [ethers.ZeroAddress, USDC])],
        ["withdrawIndexToVenue", (v: UssiVault) => v.interface.encodeFunctionData("withdrawIndexToVenue", [ethers.ZeroAddress, WAD])],
      ] as const
    ).map(([fn, arm]) => ({
      name: `${fn} entered from a claim's payout`,
      arm,
      act: async (f: Awaited<ReturnType<typeof reentrant>>) => f.rvault.connect(f.alice).claim(1),
    })),
  ];
  for (const e of entries) {
    it(`refuses ${e.name} with ReentrancyGuardReentrantCall`, async function () {
      const f = await loadFixture(reentrant);
      await f.rusd.arm(await f.rvault.getAddress(), e.arm(f.rvault));
      await e.act(f);
      expect(await f.rusd.reentered()).to.equal(true);
      expect(await f.rusd.reentrySucceeded()).to.equal(false);
      const selector = f.rvault.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      expect(await f.rusd.reentryRevertData()).to.equal(selector);
    });
  }
});

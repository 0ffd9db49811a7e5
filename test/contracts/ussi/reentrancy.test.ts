import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { USDC, WAD, deployVault, makeReport, signReport, vaultConfig, type Fixture } from "./fixture";
import type { UssiReentrantToken, UssiVault } from "../../../typechain-types";

/** A vault whose "USDC" calls back into the vault from inside a transfer. */
async function reentrant(): Promise<Fixture & { rusd: UssiReentrantToken; rvault: UssiVault }> {
  const f = await deployVault();
  const rusd = await ethers.deployContract("UssiReentrantToken");
  const rvault = await ethers.deployContract("UssiVault", [await vaultConfig({ ...f, usdc: rusd })]);
  const report = await makeReport({ round: 1n });
  const g = { ...f, vault: rvault };
  await rvault.submitNavReport(report, await signReport(g, report));
  for (const u of [f.alice, f.strategy]) {
    await rusd.mint(u.address, 1_000_000n * USDC);
    await rusd.connect(u).approve(await rvault.getAddress(), ethers.MaxUint256);
  }
  await rvault.connect(f.alice).mint(1_000n * USDC, 0);
  return { ...f, rusd, rvault };
}

describe("UssiVault reentrancy", function () {
  const entries: { name: string; arm: (v: UssiVault) => string; act: (f: Awaited<ReturnType<typeof reentrant>>) => Promise<unknown> }[] = [
    {
      name: "claim re-entered from its own payout",
      arm: (v) => v.interface.encodeFunctionData("claim", [0]),
      act: async (f) => f.rvault.connect(f.alice).claim(0),
    },
    {
      name: "redeem re-entered from its own payout",
      arm: (v) => v.interface.encodeFunctionData("redeem", [WAD, 0]),
      act: async (f) => f.rvault.connect(f.alice).redeem(WAD, 0),
    },
    {
      name: "mint re-entered from its own pull",
      arm: (v) => v.interface.encodeFunctionData("mint", [USDC, 0]),
      act: async (f) => f.rvault.connect(f.alice).mint(USDC, 0),
    },
  ];
  for (const e of entries) {
    it(`refuses ${e.name} with ReentrancyGuardReentrantCall`, async function () {
      const f = await loadFixture(reentrant);
      await f.rvault.connect(f.alice).requestRedeem(10n * WAD);
      await f.rvault.connect(f.strategy).fulfil(1, 10n * USDC);
      await f.rusd.arm(await f.rvault.getAddress(), e.arm(f.rvault));
      await e.act(f);
      expect(await f.rusd.reentered()).to.equal(true);
      expect(await f.rusd.reentrySucceeded()).to.equal(false);
      const selector = f.rvault.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      expect(await f.rusd.reentryRevertData()).to.equal(selector);
    });
  }
});

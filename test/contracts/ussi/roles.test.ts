import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ADMIN_DELAY, LIMITS, USDC, WAD, deployVaultWithHolders, vaultConfig, vaultFactory, viaTimelock, type Fixture } from "./fixture";
import type { UssiVault } from "../../../typechain-types";

type Call = { name: string; role: "STRATEGY" | "RISK" | "ADMIN"; send: (v: UssiVault, f: Fixture) => Promise<unknown> };

// Every privileged entry point, with the role it needs.
const CALLS: Call[] = [
  { name: "setLimits", role: "RISK", send: (v) => v.setLimits(LIMITS) },
  { name: "setAllowedAsset", role: "RISK", send: (v, f) => v.setAllowedAsset(f.bob.address, true) },
  { name: "pause", role: "RISK", send: (v) => v.pause() },
  { name: "unpause", role: "RISK", send: (v) => v.unpause() },
  { name: "withdrawToVenue", role: "STRATEGY", send: (v, f) => v.withdrawToVenue(f.venue.address, USDC) },
  { name: "withdrawIndexToVenue", role: "STRATEGY", send: (v, f) => v.withdrawIndexToVenue(f.venue.address, WAD) },
  { name: "declareBook", role: "STRATEGY", send: (v) => v.declareBook([]) },
  { name: "setVenue", role: "ADMIN", send: (v, f) => v.setVenue(f.bob.address, true) },
  { name: "grantRole", role: "ADMIN", send: async (v, f) => v.grantRole(await v.STRATEGY_ROLE(), f.bob.address) },
  { name: "revokeRole", role: "ADMIN", send: async (v, f) => v.revokeRole(await v.RISK_ROLE(), f.risk.address) },
  { name: "updateSigners", role: "ADMIN", send: (v) => v.updateSigners([], [], 1) },
];

async function roleId(v: UssiVault, role: Call["role"]): Promise<string> {
  return role === "STRATEGY" ? v.STRATEGY_ROLE() : role === "RISK" ? v.RISK_ROLE() : v.DEFAULT_ADMIN_ROLE();
}

/** The fixture with a queued request, pausable state and funds, so that each call would pass its own checks. */
async function busy(): Promise<Fixture> {
  const f = await deployVaultWithHolders();
  await f.vault.connect(f.alice).requestRedeem(10n * WAD);
  await f.vault.connect(f.alice).requestDepositIndex(10n * WAD);
  return f;
}

describe("UssiVault roles", function () {
  const callers: { who: string; pick: (f: Fixture) => Fixture["alice"]; has: Call["role"] | null }[] = [
    { who: "the strategy", pick: (f) => f.strategy, has: "STRATEGY" },
    { who: "the risk manager", pick: (f) => f.risk, has: "RISK" },
    { who: "the governor acting without the timelock", pick: (f) => f.gov, has: null },
    { who: "an outsider", pick: (f) => f.outsider, has: null },
  ];
  for (const c of callers) {
    describe(`${c.who}`, function () {
      for (const call of CALLS.filter((k) => k.role !== c.has)) {
        it(`is refused ${call.name} (needs ${call.role})`, async function () {
          const f = await loadFixture(busy);
          const caller = c.pick(f);
          await expect(call.send(f.vault.connect(caller), f))
            .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, await roleId(f.vault, call.role));
        });
      }
    });
  }

  it("each role may do its own calls (control for the refusals above)", async function () {
    const f = await loadFixture(busy);
    await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, bufferTargetBps: 1_000n })).to.emit(f.vault, "LimitsUpdated");
    await expect(f.vault.connect(f.risk).pause()).to.emit(f.vault, "Paused");
    await expect(f.vault.connect(f.risk).unpause()).to.emit(f.vault, "Unpaused");
    await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, WAD))
      .to.be.revertedWithCustomError(f.vault, "IndexWithdrawalAboveHeld")
      .withArgs(WAD, 0n); // only pending deposit MAG7.ssi in the vault: it stays
    await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, USDC)).to.emit(f.vault, "WithdrawnToVenue");
  });

  it("refuses the admin timelock itself any fund movement", async function () {
    const f = await loadFixture(busy);
    const vault = await f.vault.getAddress();
    const data = f.vault.interface.encodeFunctionData("withdrawToVenue", [f.venue.address, USDC]);
    await expect(viaTimelock(f, vault, data))
      .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
      .withArgs(await f.timelock.getAddress(), await f.vault.STRATEGY_ROLE());
  });

  describe("admin behind the timelock", function () {
    it("grants a role only after the delay", async function () {
      const f = await loadFixture(busy);
      const vault = await f.vault.getAddress();
      const role = await f.vault.STRATEGY_ROLE();
      const data = f.vault.interface.encodeFunctionData("grantRole", [role, f.bob.address]);
      const salt = ethers.id("grant bob");
      await f.timelock.connect(f.gov).schedule(vault, 0, data, ethers.ZeroHash, salt, ADMIN_DELAY);
      await expect(f.timelock.connect(f.gov).execute(vault, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
        f.timelock,
        "TimelockUnexpectedOperationState",
      );
      await time.increase(ADMIN_DELAY - 10n);
      await expect(f.timelock.connect(f.gov).execute(vault, 0, data, ethers.ZeroHash, salt)).to.be.reverted;
      expect(await f.vault.hasRole(role, f.bob.address)).to.equal(false);
      await time.increase(10n);
      await expect(f.timelock.connect(f.gov).execute(vault, 0, data, ethers.ZeroHash, salt))
        .to.emit(f.vault, "RoleGranted")
        .withArgs(role, f.bob.address, await f.timelock.getAddress());
    });

    it("refuses to make an account without a long enough timelock an admin", async function () {
      const f = await loadFixture(busy);
      const vault = await f.vault.getAddress();
      const admin = await f.vault.DEFAULT_ADMIN_ROLE();
      const toEoa = f.vault.interface.encodeFunctionData("grantRole", [admin, f.gov.address]);
      await expect(viaTimelock(f, vault, toEoa)).to.be.revertedWithCustomError(f.vault, "AdminNotTimelock").withArgs(f.gov.address);
      const quick = await ethers.deployContract("TimelockController", [3600, [f.gov.address], [f.gov.address], ethers.ZeroAddress]);
      const toQuick = f.vault.interface.encodeFunctionData("grantRole", [admin, await quick.getAddress()]);
      await expect(viaTimelock(f, vault, toQuick))
        .to.be.revertedWithCustomError(f.vault, "AdminDelayTooShort")
        .withArgs(await quick.getAddress(), 3600n, 86_400n);
    });

    it("never lets one account hold both STRATEGY_ROLE and RISK_ROLE", async function () {
      const f = await loadFixture(busy);
      const data = f.vault.interface.encodeFunctionData("grantRole", [await f.vault.RISK_ROLE(), f.strategy.address]);
      await expect(viaTimelock(f, await f.vault.getAddress(), data))
        .to.be.revertedWithCustomError(f.vault, "RoleConflict")
        .withArgs(f.strategy.address, await f.vault.RISK_ROLE());
    });
  });

  describe("#constructor", function () {
    const config = (f: Fixture, overrides: Record<string, unknown>) => vaultConfig(f, overrides);

    it("refuses an admin that is not a timelock, or whose delay is under a day", async function () {
      const f = await loadFixture(busy);
      const factory = await vaultFactory();
      await expect(factory.deploy(await config(f, { admin: f.gov.address })))
        .to.be.revertedWithCustomError(factory, "AdminNotTimelock")
        .withArgs(f.gov.address);
      await expect(factory.deploy(await config(f, { admin: await f.usdc.getAddress() })))
        .to.be.revertedWithCustomError(factory, "AdminNotTimelock")
        .withArgs(await f.usdc.getAddress());
      const quick = await ethers.deployContract("TimelockController", [86_399, [f.gov.address], [f.gov.address], ethers.ZeroAddress]);
      await expect(factory.deploy(await config(f, { admin: await quick.getAddress() })))
        .to.be.revertedWithCustomError(factory, "AdminDelayTooShort")
        .withArgs(await quick.getAddress(), 86_399n, 86_400n);
    });

    it("refuses one account as both strategy and risk", async function () {
      const f = await loadFixture(busy);
      const factory = await vaultFactory();
      await expect(factory.deploy(await config(f, { risk: f.strategy.address }))).to.be.revertedWithCustomError(
        factory,
        "RoleConflict",
      );
    });
  });

  describe("#setLimits", function () {
    const bad: [string, Partial<typeof LIMITS>, bigint][] = [
      ["maxNavAge", { maxNavAge: 0n }, 0n],
      ["maxNavAge", { maxNavAge: 3_599n }, 3_599n], // floor 1 hour: reports must be relayable
      ["maxNavAge", { maxNavAge: 30n * 86_400n + 1n }, 30n * 86_400n + 1n],
      ["maxNavChangeBps", { maxNavChangeBps: 9n }, 9n], // floor 10 bps: honest reports must land
      ["maxNavChangeBps", { maxNavChangeBps: 501n }, 501n], // ceiling 5%
      ["maxNetDeltaBps", { maxNetDeltaBps: 10_001n }, 10_001n],
      ["bufferTargetBps", { bufferTargetBps: 10_001n }, 10_001n],
      ["indexHaircutBps", { indexHaircutBps: 1_001n }, 1_001n], // cap MAX_INDEX_HAIRCUT_BPS = 1000
      ["instantCapBps", { instantCapBps: 10_001n }, 10_001n],
      ["minRequestUsd", { minRequestUsd: 1_000n * WAD + 1n }, 1_000n * WAD + 1n], // ceiling 1,000 USD
    ];
    for (const [name, patch, value] of bad) {
      it(`reverts InvalidLimit for ${name} = ${value}`, async function () {
        const f = await loadFixture(busy);
        await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, ...patch }))
          .to.be.revertedWithCustomError(f.vault, "InvalidLimit")
          .withArgs(ethers.encodeBytes32String(name), value);
      });
    }
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  LIMITS,
  MAX_NAV_AGE,
  USDC,
  WAD,
  deployVault,
  deployVaultWithHolders,
  deployVaultWithNav,
  makeReport,
  nextRound,
  requestDeposit,
  requestRedeem,
  settleAt,
  signReport,
  vaultConfig,
  vaultFactory,
  viaTimelock,
} from "./fixture";

/**
 * The vault's input guards that no scenario test reaches: each refusal names the problem and changes
 * nothing, and the accepted call right beside it shows the guard is the only thing in the way.
 */
describe("UssiVault input guards", function () {
  describe("request ids", function () {
    it("claim and request of an id never issued revert UnknownRequest; the last issued id reads back", async function () {
      const f = await loadFixture(deployVaultWithNav);
      const id = await requestDeposit(f, f.alice, 100n * USDC);
      await expect(f.vault.connect(f.alice).claim(id + 1n)).to.be.revertedWithCustomError(f.vault, "UnknownRequest").withArgs(id + 1n);
      await expect(f.vault.request(id + 1n)).to.be.revertedWithCustomError(f.vault, "UnknownRequest").withArgs(id + 1n);
      const r = await f.vault.request(id);
      expect([r.owner, r.amount]).to.deep.equal([f.alice.address, 100n * USDC]);
    });
  });

  describe("instant redemption", function () {
    it("reverts AssetsBelowMinimum one base unit above what it would pay, and pays exactly previewRedeem at the minimum", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      const shares = 5n * WAD; // within the 1% instant cap of 3,000 USSI
      const assets = await f.vault.previewRedeem(shares);
      expect(assets).to.be.greaterThan(0n);
      await expect(f.vault.connect(f.alice).redeem(shares, assets + 1n))
        .to.be.revertedWithCustomError(f.vault, "AssetsBelowMinimum")
        .withArgs(assets, assets + 1n);
      await expect(f.vault.connect(f.alice).redeem(shares, assets)).to.changeTokenBalance(f.usdc, f.alice, assets);
    });

    it("reverts NavStale once the last report is older than maxNavAge, naming its timestamp and the time", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      const last = (await f.vault.lastAcceptedReport()).timestamp;
      const at = last + MAX_NAV_AGE + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(f.vault.connect(f.alice).redeem(5n * WAD, 0n))
        .to.be.revertedWithCustomError(f.vault, "NavStale")
        .withArgs(last, MAX_NAV_AGE, at);
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(1_000n * WAD);
    });
  });

  describe("MAG7.ssi deposits", function () {
    it("refuse a deposit while MAG7.ssi is valued at zero (ZeroIndexValue) and take nothing", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.index.setNavPerShare(0n);
      await expect(f.vault.connect(f.alice).requestDepositIndex(100n * WAD)).to.be.revertedWithCustomError(f.vault, "ZeroIndexValue");
      expect(await f.index.balanceOf(await f.vault.getAddress())).to.equal(0n);
      await f.index.setNavPerShare(2n * WAD);
      await expect(f.vault.connect(f.alice).requestDepositIndex(100n * WAD)).to.emit(f.vault, "Requested");
    });
  });

  describe("venues", function () {
    it("withdrawToVenue and withdrawIndexToVenue refuse an address that is not a venue (VenueNotAllowed) and a zero amount", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      const s = f.vault.connect(f.strategy);
      await expect(s.withdrawToVenue(f.outsider.address, USDC)).to.be.revertedWithCustomError(f.vault, "VenueNotAllowed").withArgs(f.outsider.address);
      await expect(s.withdrawIndexToVenue(f.outsider.address, WAD)).to.be.revertedWithCustomError(f.vault, "VenueNotAllowed").withArgs(f.outsider.address);
      await expect(s.withdrawToVenue(f.venue.address, 0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await expect(s.withdrawIndexToVenue(f.venue.address, 0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await expect(s.withdrawToVenue(f.venue.address, USDC)).to.changeTokenBalance(f.usdc, f.venue, USDC);
    });

    it("withdrawToVenue needs a fresh NAV (NavStale)", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      const last = (await f.vault.lastAcceptedReport()).timestamp;
      const at = last + MAX_NAV_AGE + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, USDC))
        .to.be.revertedWithCustomError(f.vault, "NavStale")
        .withArgs(last, MAX_NAV_AGE, at);
    });
  });

  describe("#declareBook", function () {
    async function allowed(n: number) {
      const f = await loadFixture(deployVaultWithNav);
      const assets = Array.from({ length: n }, (_, i) => ethers.getAddress(ethers.toBeHex(0x1000 + i, 20)));
      for (const a of assets) await f.vault.connect(f.risk).setAllowedAsset(a, true);
      return { f, assets };
    }

    it("refuses more than 32 assets (BookTooLarge) and a repeated asset (DuplicateBookAsset), keeping the old book", async function () {
      const { f, assets } = await allowed(33);
      const s = f.vault.connect(f.strategy);
      await s.declareBook(assets.slice(0, 2));
      await expect(s.declareBook(assets)).to.be.revertedWithCustomError(f.vault, "BookTooLarge").withArgs(33n, 32n);
      await expect(s.declareBook([assets[0]!, assets[1]!, assets[0]!]))
        .to.be.revertedWithCustomError(f.vault, "DuplicateBookAsset")
        .withArgs(assets[0]);
      expect(await f.vault.book()).to.deep.equal(assets.slice(0, 2));
      await expect(s.declareBook(assets.slice(0, 32))).to.emit(f.vault, "BookDeclared");
      expect((await f.vault.book()).length).to.equal(32);
    });

    it("replaces the book whether the new one is longer, shorter or empty", async function () {
      const { f, assets } = await allowed(3);
      const s = f.vault.connect(f.strategy);
      await s.declareBook([assets[0]!]);
      await s.declareBook([assets[2]!, assets[1]!, assets[0]!]);
      expect(await f.vault.book()).to.deep.equal([assets[2], assets[1], assets[0]]);
      await s.declareBook([assets[1]!]);
      expect(await f.vault.book()).to.deep.equal([assets[1]]);
      await s.declareBook([]);
      expect(await f.vault.book()).to.deep.equal([]);
    });
  });

  describe("#constructor", function () {
    it("refuses a zero USDC, MAG7.ssi or valuation address, and a USDC of more than 18 decimals (InvalidConfig)", async function () {
      const f = await loadFixture(deployVault);
      const factory = await vaultFactory();
      for (const field of ["usdc", "indexToken", "indexValuation"]) {
        await expect(factory.deploy(await vaultConfig(f, { [field]: ethers.ZeroAddress }))).to.be.revertedWithCustomError(factory, "InvalidConfig");
      }
      const wide = await ethers.deployContract("MockERC20", ["Wide USD", "WUSD", 24]);
      await expect(factory.deploy(await vaultConfig(f, { usdc: await wide.getAddress() }))).to.be.revertedWithCustomError(factory, "InvalidConfig");
      const eighteen = await ethers.deployContract("MockERC20", ["USD 18", "USD18", 18]);
      const v = await factory.deploy(await vaultConfig(f, { usdc: await eighteen.getAddress() }));
      expect(await v.usdc()).to.equal(await eighteen.getAddress());
    });

    it("refuses a zero or repeated signer (InvalidSignerUpdate) and a quorum of 0 or above the set (InvalidQuorum)", async function () {
      const f = await loadFixture(deployVault);
      const factory = await vaultFactory();
      const [s1, s2] = f.oracleSigners.map((s) => s.address);
      await expect(factory.deploy(await vaultConfig(f, { signers: [s1, ethers.ZeroAddress] })))
        .to.be.revertedWithCustomError(factory, "InvalidSignerUpdate")
        .withArgs(ethers.ZeroAddress);
      await expect(factory.deploy(await vaultConfig(f, { signers: [s1, s2, s1] })))
        .to.be.revertedWithCustomError(factory, "InvalidSignerUpdate")
        .withArgs(s1);
      await expect(factory.deploy(await vaultConfig(f, { quorum: 0 }))).to.be.revertedWithCustomError(factory, "InvalidQuorum").withArgs(0n, 3n);
      await expect(factory.deploy(await vaultConfig(f, { quorum: 4 }))).to.be.revertedWithCustomError(factory, "InvalidQuorum").withArgs(4n, 3n);
    });
  });

  describe("NAV signer set", function () {
    it("the admin (through its timelock) replaces a signer and raises the quorum; reports then need the new set", async function () {
      const f = await loadFixture(deployVaultWithNav);
      const [s1, s2, s3] = f.oracleSigners;
      const s4 = f.outsider;
      const vault = await f.vault.getAddress();
      await expect(viaTimelock(f, vault, f.vault.interface.encodeFunctionData("updateSigners", [[s4.address], [s1!.address], 3])))
        .to.emit(f.vault, "SignerUpdated")
        .withArgs(s1!.address, false)
        .and.to.emit(f.vault, "SignerUpdated")
        .withArgs(s4.address, true)
        .and.to.emit(f.vault, "QuorumUpdated")
        .withArgs(3n);
      expect([await f.vault.isSigner(s1!.address), await f.vault.isSigner(s4.address), await f.vault.quorum()]).to.deep.equal([false, true, 3n]);
      const report = await makeReport({ round: await nextRound(f), navPerToken: WAD });
      await expect(f.vault.submitNavReport(report, await signReport(f, report, [s2!, s3!])))
        .to.be.revertedWithCustomError(f.vault, "QuorumNotMet")
        .withArgs(2n, 3n);
      await expect(f.vault.submitNavReport(report, await signReport(f, report, [s2!, s3!, s4]))).to.emit(f.vault, "EpochSettled");
    });

    it("refuses to remove an address that is not a signer (InvalidSignerUpdate), through the timelock", async function () {
      const f = await loadFixture(deployVaultWithNav);
      const vault = await f.vault.getAddress();
      await expect(viaTimelock(f, vault, f.vault.interface.encodeFunctionData("updateSigners", [[], [f.outsider.address], 2])))
        .to.be.revertedWithCustomError(f.vault, "InvalidSignerUpdate")
        .withArgs(f.outsider.address);
      expect(await f.vault.signerCount()).to.equal(3n);
    });

    it("refuses signatures out of ascending signer order (SignersNotAscending)", async function () {
      const f = await loadFixture(deployVaultWithNav);
      const report = await makeReport({ round: await nextRound(f), navPerToken: WAD });
      const sigs = await signReport(f, report);
      const [lo, hi] = f.oracleSigners.slice(0, 2).map((s) => s.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      await expect(f.vault.submitNavReport(report, [...sigs].reverse()))
        .to.be.revertedWithCustomError(f.vault, "SignersNotAscending")
        .withArgs(hi, lo);
    });
  });

  describe("zero amounts", function () {
    it("requestRedeem(0) by an account holding nothing and requestDeposit(0) without a minimum revert ZeroAmount", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await expect(f.vault.connect(f.outsider).requestRedeem(0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await f.vault.connect(f.risk).setLimits({ ...LIMITS, minRequestUsd: 0n });
      await expect(f.vault.connect(f.alice).requestDeposit(0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      expect(await f.vault.requestCount()).to.equal(0n);
    });

    it("an instant redemption that would pay 0 USDC reverts ZeroAmount and burns nothing", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      expect(await f.vault.previewRedeem(1n)).to.equal(0n);
      await expect(f.vault.connect(f.alice).redeem(1n, 0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(1_000n * WAD);
    });
  });

  describe("buffer", function () {
    /** Holders' 3,000 USDC, 2,850 of them at the venue: 150 USDC (the 5% target) stay liquid. */
    async function thinBuffer() {
      const f = await deployVaultWithHolders();
      await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_850n * USDC);
      return f;
    }

    it("an instant redemption above the liquid buffer reverts InsufficientBuffer with both amounts", async function () {
      const f = await loadFixture(thinBuffer);
      const assets = await f.vault.previewRedeem(200n * WAD);
      await expect(f.vault.connect(f.alice).redeem(200n * WAD, 0n))
        .to.be.revertedWithCustomError(f.vault, "InsufficientBuffer")
        .withArgs(assets, 150n * USDC);
    });

    it("withdrawToVenue keeps the buffer target: one base unit beyond it reverts WithdrawalAboveBuffer with what is available", async function () {
      const f = await loadFixture(thinBuffer);
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 1n))
        .to.be.revertedWithCustomError(f.vault, "WithdrawalAboveBuffer")
        .withArgs(1n, 0n);
      expect(await f.vault.liquidAssets()).to.equal(150n * USDC);
    });

    it("fulfil(0) funds from the buffer only and pulls nothing from the caller", async function () {
      const f = await loadFixture(thinBuffer);
      await requestRedeem(f, f.alice, 1_000n * WAD);
      await settleAt(f, WAD);
      const [owed, funded] = await f.vault.redemptionFunding();
      expect([owed, funded]).to.deep.equal([1_000n * USDC, 150n * USDC]);
      const before = await f.usdc.balanceOf(f.strategy.address);
      await expect(f.vault.connect(f.strategy).fulfil(0n))
        .to.emit(f.vault, "Fulfilled")
        .withArgs(f.strategy.address, 0n, 0n, 150n * USDC, 1_000n * USDC);
      expect(await f.usdc.balanceOf(f.strategy.address)).to.equal(before);
    });

    it("withdrawToVenue stops while paused (EnforcedPause); withdrawIndexToVenue sends MAG7.ssi the vault holds beyond what it owes", async function () {
      const f = await loadFixture(deployVaultWithHolders);
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, USDC)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
      const vault = await f.vault.getAddress();
      await f.index.mint(vault, 10n * WAD);
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, 4n * WAD))
        .to.emit(f.vault, "IndexWithdrawnToVenue")
        .withArgs(f.venue.address, 4n * WAD, 6n * WAD);
      expect(await f.index.balanceOf(f.venue.address)).to.equal(4n * WAD);
    });
  });

  describe("allowed assets and venues", function () {
    it("setAllowedAsset and setVenue refuse the zero address (InvalidConfig); a book asset must be allowed (AssetNotAllowed)", async function () {
      const f = await loadFixture(deployVaultWithNav);
      const asset = ethers.getAddress(ethers.toBeHex(0xbeef, 20));
      await expect(f.vault.connect(f.risk).setAllowedAsset(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(f.vault, "InvalidConfig");
      await expect(viaTimelock(f, await f.vault.getAddress(), f.vault.interface.encodeFunctionData("setVenue", [ethers.ZeroAddress, true])))
        .to.be.revertedWithCustomError(f.vault, "InvalidConfig");
      expect(await f.vault.isVenue(f.venue.address)).to.equal(true);
      expect(await f.vault.isVenue(ethers.ZeroAddress)).to.equal(false);
      await expect(f.vault.connect(f.strategy).declareBook([asset])).to.be.revertedWithCustomError(f.vault, "AssetNotAllowed").withArgs(asset);
      await f.vault.connect(f.risk).setAllowedAsset(asset, true);
      expect(await f.vault.isAllowedAsset(asset)).to.equal(true);
      await expect(f.vault.connect(f.strategy).declareBook([asset])).to.emit(f.vault, "BookDeclared").withArgs([asset]);
    });
  });
});

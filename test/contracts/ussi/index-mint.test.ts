import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { INDEX_LOCK_PERIOD, LIMITS, MAX_NAV_AGE, USDC, WAD, deployVaultWithNav, pushReport, type Fixture } from "./fixture";

/*
 * Issue 5, security review: "mintWithIndex plus instant redeem is a fee-free exit at the oracle
 * price". The fix: a RISK-set haircut on the feed value of MAG7.ssi (what removes the price edge
 * while the feeds lag by no more than it), a lock that lets index-minted shares leave only through
 * the queue for indexLockPeriod (no one-transaction loop, no flash-loan scale, time to hedge), and
 * withdrawIndexToVenue so the strategy can hedge or sell the MAG7.ssi the vault receives.
 */

const BPS = 10_000n;

/** NAV 1.00 (round 2), MAG7.ssi at 2 USD on the feeds, 10,000 USDC of buffer from Bob, an arbitrageur contract funded with MAG7.ssi. */
async function lagging() {
  const f = await deployVaultWithNav();
  await f.vault.connect(f.bob).mint(10_000n * USDC, 0);
  const arb = await ethers.deployContract("UssiIndexArbitrageur");
  await f.index.mint(await arb.getAddress(), 1_000n * WAD);
  return { ...f, arb };
}

/** Alice mints 1,000 USSI with USDC and 100 MAG7.ssi (at 2 USD, 1% haircut: 198 USSI) at NAV 1.00; Bob adds buffer. */
async function mixed(): Promise<Fixture & { lockedAt: bigint }> {
  const f = await deployVaultWithNav();
  await f.vault.connect(f.bob).mint(10_000n * USDC, 0);
  await f.vault.connect(f.alice).mint(1_000n * USDC, 0);
  await f.vault.connect(f.alice).mintWithIndex(100n * WAD, 0);
  return { ...f, lockedAt: BigInt(await time.latest()) };
}

describe("UssiVault index mint (haircut, lock, withdrawal of MAG7.ssi)", function () {
  describe("the review's exploit", function () {
    it("refuses mintWithIndex then instant redeem in one transaction (IndexSharesLockedUntil); nothing moves", async function () {
      const f = await loadFixture(lagging);
      const arb = await f.arb.getAddress();
      const usdcBefore = await f.usdc.balanceOf(await f.vault.getAddress());
      await expect(f.arb.mintAndRedeem(await f.vault.getAddress(), await f.index.getAddress(), 100n * WAD)).to.be.revertedWithCustomError(
        f.vault,
        "IndexSharesLockedUntil",
      );
      expect(await f.usdc.balanceOf(await f.vault.getAddress())).to.equal(usdcBefore);
      expect(await f.index.balanceOf(arb)).to.equal(1_000n * WAD);
    });

    it("refuses passing the fresh shares to an accomplice in the same transaction", async function () {
      const f = await loadFixture(lagging);
      await expect(
        f.arb.mintAndTransfer(await f.vault.getAddress(), await f.index.getAddress(), 100n * WAD, f.carol.address),
      ).to.be.revertedWithCustomError(f.vault, "IndexSharesLockedUntil");
    });

    it("refuses a same-block redeem even with the shortest lock (1 s), allows it in a later block", async function () {
      const f = await loadFixture(lagging);
      await f.vault.connect(f.risk).setLimits({ ...LIMITS, indexLockPeriod: 1n });
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const mintTx = await f.vault.connect(f.alice).mintWithIndex(WAD, 0, { gasLimit: 500_000 });
        const redeemTx = await f.vault.connect(f.alice).redeem(WAD, 0, { gasLimit: 500_000 });
        await ethers.provider.send("evm_mine", []);
        expect((await mintTx.wait())!.status).to.equal(1);
        const receipt = await ethers.provider.getTransactionReceipt(redeemTx.hash);
        expect(receipt!.status).to.equal(0); // same block: still locked
        expect(receipt!.blockNumber).to.equal((await mintTx.wait())!.blockNumber);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      await expect(f.vault.connect(f.alice).redeem(WAD, 0)).to.emit(f.vault, "Redeemed"); // next block, next second
    });

    // The feed says 2 USD per MAG7.ssi; the market is `lagBps` lower (the feed has not crossed its
    // deviation threshold yet). The attacker buys 100 MAG7.ssi at market, mints, exits via the queue.
    const cases: { lagBps: bigint; haircutBps: bigint; profits: boolean }[] = [
      { lagBps: 100n, haircutBps: 100n, profits: false }, // lag = haircut: break-even at best
      { lagBps: 50n, haircutBps: 100n, profits: false }, // lag below the haircut: a loss
      { lagBps: 100n, haircutBps: 0n, profits: true }, // control: without the haircut the lag is profit
    ];
    for (const c of cases) {
      it(`${c.profits ? "profits" : "does not profit"} through the queue when the feed leads the market by ${c.lagBps} bps and the haircut is ${c.haircutBps} bps`, async function () {
        const f = await loadFixture(lagging);
        await f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: c.haircutBps });
        // Cost at market {USDC}: 100 * 2 * (1 - lag) USD.
        const costUsdc = (100n * 2n * USDC * (BPS - c.lagBps)) / BPS;
        // Shares by hand at NAV 1.00: 100 * 2 * (1 - haircut), exact here.
        const shares = (100n * 2n * WAD * (BPS - c.haircutBps)) / BPS;
        expect(await f.vault.previewMintWithIndex(100n * WAD)).to.equal(shares);
        await f.vault.connect(f.alice).mintWithIndex(100n * WAD, shares);
        const id = (await f.vault.queue())[1];
        await f.vault.connect(f.alice).requestRedeem(shares);
        await f.vault.connect(f.strategy).fulfil(1, 10n ** 30n);
        const before = await f.usdc.balanceOf(f.alice.address);
        await f.vault.connect(f.alice).claim(id);
        const received = (await f.usdc.balanceOf(f.alice.address)) - before;
        expect(received).to.equal(shares / 10n ** 12n); // at NAV 1.00
        if (c.profits) expect(received).to.be.greaterThan(costUsdc);
        else expect(received).to.be.lessThanOrEqual(costUsdc);
      });
    }
  });

  describe("#mintWithIndex haircut (worked by hand)", function () {
    // 10 MAG7.ssi at 3 USD = 30 USD gross; NAV 1.20 per USSI.
    const table: [bigint, bigint, bigint][] = [
      [0n, 30n * WAD, 25n * WAD], // 30 / 1.2 = 25
      [250n, (2925n * WAD) / 100n, (24375n * WAD) / 1000n], // 30 * 0.975 = 29.25; / 1.2 = 24.375
      [1_000n, 27n * WAD, (225n * WAD) / 10n], // the cap: 30 * 0.9 = 27; / 1.2 = 22.5
    ];
    for (const [haircut, valueUsd, shares] of table) {
      it(`credits ${haircut} bps less: value ${ethers.formatUnits(valueUsd, 18)} USD, ${ethers.formatUnits(shares, 18)} USSI`, async function () {
        const f = await loadFixture(deployVaultWithNav);
        await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavChangeBps: 10_000n, indexHaircutBps: haircut });
        await pushReport(f, { round: 3n, navPerToken: (12n * WAD) / 10n });
        await f.index.setNavPerShare(3n * WAD);
        expect(await f.vault.previewMintWithIndex(10n * WAD)).to.equal(shares);
        await expect(f.vault.connect(f.alice).mintWithIndex(10n * WAD, shares))
          .to.emit(f.vault, "Minted")
          .withArgs(f.alice.address, await f.index.getAddress(), 10n * WAD, valueUsd, shares, (12n * WAD) / 10n);
      });
    }

    it("rounds down against the minter: 1 wei at 1 USD, 1% haircut, NAV 1.00 gives ZeroAmount (0.99 wei)", async function () {
      const f = await loadFixture(deployVaultWithNav);
      await f.index.setNavPerShare(WAD);
      await expect(f.vault.connect(f.alice).mintWithIndex(1n, 0)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await expect(f.vault.connect(f.alice).mintWithIndex(100n, 0)).to.emit(f.vault, "Minted").withArgs(f.alice.address, await f.index.getAddress(), 100n, 99n, 99n, WAD);
    });

    it("only RISK sets the haircut, up to MAX_INDEX_HAIRCUT_BPS = 1000", async function () {
      const f = await loadFixture(deployVaultWithNav);
      expect(await f.vault.MAX_INDEX_HAIRCUT_BPS()).to.equal(1_000n);
      for (const who of [f.strategy, f.outsider]) {
        await expect(f.vault.connect(who).setLimits({ ...LIMITS, indexHaircutBps: 0n }))
          .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await f.vault.RISK_ROLE());
      }
      await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: 1_001n }))
        .to.be.revertedWithCustomError(f.vault, "InvalidLimit")
        .withArgs(ethers.encodeBytes32String("indexHaircutBps"), 1_001n);
      await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: 1_000n })).to.emit(f.vault, "LimitsUpdated");
      expect((await f.vault.limits()).indexHaircutBps).to.equal(1_000n);
    });
  });

  describe("index-minted shares: the lock", function () {
    it("locks the minted shares until now + indexLockPeriod (event and view)", async function () {
      const f = await loadFixture(mixed);
      expect(await f.vault.indexLock(f.alice.address)).to.deep.equal([198n * WAD, f.lockedAt + INDEX_LOCK_PERIOD]);
      expect(await f.vault.indexLock(f.bob.address)).to.deep.equal([0n, 0n]);
      const at = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(f.vault.connect(f.carol).mintWithIndex(WAD, 0))
        .to.emit(f.vault, "IndexSharesLocked")
        .withArgs(f.carol.address, (198n * WAD) / 100n, at + INDEX_LOCK_PERIOD);
    });

    it("leaves USDC-minted shares free: instant redeem and transfers up to the unlocked balance", async function () {
      const f = await loadFixture(mixed);
      await expect(f.vault.connect(f.alice).redeem(600n * WAD, 0)).to.emit(f.vault, "Redeemed");
      await f.vault.connect(f.alice).transfer(f.carol.address, 400n * WAD); // balance 598 = 198 locked + 400
      await expect(f.vault.connect(f.alice).transfer(f.carol.address, 1n))
        .to.be.revertedWithCustomError(f.vault, "IndexSharesLockedUntil")
        .withArgs(f.alice.address, 198n * WAD - 1n, 198n * WAD, f.lockedAt + INDEX_LOCK_PERIOD);
      await expect(f.vault.connect(f.alice).redeem(1n * WAD, 0)).to.be.revertedWithCustomError(f.vault, "IndexSharesLockedUntil");
      await f.vault.connect(f.alice).approve(f.carol.address, ethers.MaxUint256);
      await expect(f.vault.connect(f.carol).transferFrom(f.alice.address, f.carol.address, 1n)).to.be.revertedWithCustomError(
        f.vault,
        "IndexSharesLockedUntil",
      );
    });

    it("lets locked shares leave through the queue, which releases them first", async function () {
      const f = await loadFixture(mixed);
      await f.vault.connect(f.alice).requestRedeem(50n * WAD);
      expect((await f.vault.indexLock(f.alice.address))[0]).to.equal(148n * WAD);
      await f.vault.connect(f.alice).requestRedeem(1_000n * WAD); // 148 locked + 852 free
      expect((await f.vault.indexLock(f.alice.address))[0]).to.equal(0n);
      expect(await f.vault.balanceOf(f.alice.address)).to.equal(148n * WAD);
      await expect(f.vault.connect(f.alice).redeem(148n * WAD, 0)).to.emit(f.vault, "Redeemed");
    });

    it("ends after indexLockPeriod; a second index mint restarts it for the whole locked amount", async function () {
      const f = await loadFixture(mixed);
      await time.increase(INDEX_LOCK_PERIOD / 2n);
      await pushReport(f, { round: 3n, navPerToken: WAD });
      await f.vault.connect(f.alice).mintWithIndex(WAD, 0); // + 1.98 USSI
      const [locked, unlockAt] = await f.vault.indexLock(f.alice.address);
      expect(locked).to.equal(198n * WAD + (198n * WAD) / 100n);
      expect(unlockAt).to.equal(BigInt(await time.latest()) + INDEX_LOCK_PERIOD);
      await time.increaseTo(unlockAt - 1n); // the last second of the lock
      expect((await f.vault.indexLock(f.alice.address))[0]).to.equal(locked);
      await time.increaseTo(unlockAt);
      expect(await f.vault.indexLock(f.alice.address)).to.deep.equal([0n, 0n]);
      await pushReport(f, { round: 4n, navPerToken: WAD });
      await expect(f.vault.connect(f.alice).redeem(await f.vault.balanceOf(f.alice.address), 0)).to.emit(f.vault, "Redeemed");
    });
  });

  describe("#withdrawIndexToVenue", function () {
    it("lets the strategy send MAG7.ssi to a whitelisted venue (event with what stays)", async function () {
      const f = await loadFixture(mixed);
      const vault = await f.vault.getAddress();
      const tx = f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, 60n * WAD);
      await expect(tx).to.emit(f.vault, "IndexWithdrawnToVenue").withArgs(f.venue.address, 60n * WAD, 40n * WAD);
      await expect(tx).to.changeTokenBalances(f.index, [vault, f.venue.address], [-60n * WAD, 60n * WAD]);
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, 41n * WAD))
        .to.be.revertedWithCustomError(f.vault, "IndexWithdrawalAboveHeld")
        .withArgs(41n * WAD, 40n * WAD);
    });

    it("refuses a venue not on the whitelist, a zero amount, and any time while paused", async function () {
      const f = await loadFixture(mixed);
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.outsider.address, WAD))
        .to.be.revertedWithCustomError(f.vault, "VenueNotAllowed")
        .withArgs(f.outsider.address);
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, 0n)).to.be.revertedWithCustomError(f.vault, "ZeroAmount");
      await f.vault.connect(f.risk).pause();
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, WAD)).to.be.revertedWithCustomError(
        f.vault,
        "EnforcedPause",
      );
    });

    it("works with a stale NAV (moving MAG7.ssi does not touch the USDC buffer)", async function () {
      const f = await loadFixture(mixed);
      await time.increase(MAX_NAV_AGE + 1n);
      expect(await f.vault.isNavFresh()).to.equal(false);
      await expect(f.vault.connect(f.strategy).withdrawIndexToVenue(f.venue.address, WAD)).to.emit(f.vault, "IndexWithdrawnToVenue");
    });

    it("is refused to everyone but the strategy, including the risk role and the admin", async function () {
      const f = await loadFixture(mixed);
      for (const who of [f.risk, f.alice, f.venue, f.gov]) {
        await expect(f.vault.connect(who).withdrawIndexToVenue(f.venue.address, WAD))
          .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await f.vault.STRATEGY_ROLE());
      }
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  LIMITS,
  MAX_NAV_AGE,
  USDC,
  WAD,
  deployVaultWithHolders,
  deployVaultWithNav,
  makeReport,
  nextRound,
  pushReport,
  requestDeposit,
  requestRedeem,
  settleAt,
  signReport,
  viaTimelock,
  type Fixture,
} from "./fixture";
import type { UssiNavSandwich } from "../../../typechain-types";

/**
 * The security review of issue 9, as regression tests. On the code before issue 9 (instant mint at
 * the last NAV, instant redeem, fulfilment at the NAV of the moment) the two sandwiches earned
 * 50,000 USDC (buffer) and 500,000 USDC (queue, D = 10M, x = 5%); here both earn nothing.
 */

/** Bob holds 1,000,000 USSI at 1.00; the strategy moved everything above the 5% buffer to the venue. */
async function bookWithBuffer(): Promise<Fixture & { attacker: UssiNavSandwich }> {
  const f = await deployVaultWithNav();
  const id = await requestDeposit(f, f.bob, 1_000_000n * USDC);
  await settleAt(f, WAD);
  await f.vault.connect(f.bob).claim(id);
  await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 950_000n * USDC);
  const attacker = await ethers.deployContract("UssiNavSandwich");
  return { ...f, attacker };
}

/** The same book with the per-report bound at its 5% ceiling (the old default the review used). */
async function bookWithBufferAt5Pct() {
  const f = await bookWithBuffer();
  await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavChangeBps: 500n });
  return f;
}

/** Bob's claim on the book in USD {1e18}: his shares at the last navPerToken. */
async function bobValue(f: Fixture): Promise<bigint> {
  return ((await f.vault.balanceOf(f.bob.address)) * (await f.vault.lastAcceptedReport()).navPerToken) / WAD;
}

for (const [label, setup, moveBps] of [
  ["default bound (50 bps), x = 50 bps", bookWithBuffer, 50n],
  ["bound at its 5% ceiling, x = 5% (the review's case)", bookWithBufferAt5Pct, 500n],
] as const) {
  describe(`USSI review attacks: ${label}`, function () {
    it("flash-loan sandwich (deposit, relay the +x report, claim, redeem from the buffer) earns zero", async function () {
      const f = await loadFixture(setup);
      const D = 1_000_000n * USDC; // the flash loan, handed to the attacker contract
      await f.usdc.mint(await f.attacker.getAddress(), D);
      const up = (WAD * (10_000n + moveBps)) / 10_000n;
      const report = await makeReport({ round: await nextRound(f), navPerToken: up });
      const sigs = await signReport(f, report);
      const before = await bobValue(f);
      // One transaction: request, relay, claim, instant redeem (what the cap and buffer allow), queue the rest.
      const [, redeemId] = await f.attacker.sandwich.staticCall(f.vault, f.usdc, D, report, sigs);
      await f.attacker.sandwich(f.vault, f.usdc, D, report, sigs);
      // Whatever was queued settles at the next report, at the same NAV (no further move), and is funded.
      await settleAt(f, up);
      const [owed, funded] = await f.vault.redemptionFunding();
      if (owed > funded) {
        await f.usdc.connect(f.venue).approve(await f.vault.getAddress(), owed - funded);
        await f.usdc.mint(f.venue.address, owed - funded);
        await f.vault.connect(f.venue).fulfil(owed - funded);
      }
      if (redeemId !== ethers.MaxUint256) await f.attacker.claim(f.vault, redeemId);
      const out = await f.usdc.balanceOf(await f.attacker.getAddress());
      expect(out).to.be.lte(D, "the attacker ends with more USDC than it borrowed");
      expect(await f.vault.balanceOf(await f.attacker.getAddress())).to.equal(0n);
      // And the passive holder did not pay for it: his stake is worth at least what the report said.
      expect(await bobValue(f)).to.be.gte((before * (10_000n + moveBps)) / 10_000n);
    });

    it("queue variant (deposit D before the report, redeem through the queue after) earns zero for any D", async function () {
      const f = await loadFixture(setup);
      const D = 10_000_000n * USDC;
      const up = (WAD * (10_000n + moveBps)) / 10_000n;
      const report = await makeReport({ round: await nextRound(f), navPerToken: up });
      const sigs = await signReport(f, report);
      const start = await f.usdc.balanceOf(f.alice.address);
      const depositId = await requestDeposit(f, f.alice, D);
      await f.vault.connect(f.alice).submitNavReport(report, sigs);
      // The deposit settled at the NEW price: the +x the attacker knew is already in it.
      expect((await f.vault.epochInfo((await f.vault.request(depositId)).epoch)).navPerToken).to.equal(up);
      await f.vault.connect(f.alice).claim(depositId);
      const redeemId = await requestRedeem(f, f.alice, await f.vault.balanceOf(f.alice.address));
      await settleAt(f, up);
      const [owed, funded] = await f.vault.redemptionFunding();
      if (owed > funded) await f.vault.connect(f.strategy).fulfil(owed - funded);
      await f.vault.connect(f.alice).claim(redeemId);
      expect(await f.usdc.balanceOf(f.alice.address)).to.be.lte(start);
    });
  });
}

describe("USSI settlement at the next NAV", function () {
  it("requests of one epoch share the price of the report that ends it, rounded against the requester", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const epoch = await f.vault.currentEpoch();
    const a = await requestDeposit(f, f.alice, 100n * USDC);
    const b = await requestDeposit(f, f.bob, 333n * USDC);
    const c = await requestRedeem(f, f.carol, 100n * WAD);
    const price = (WAD * 10_030n) / 10_000n; // 1.003
    await time.increase(60);
    const report = await makeReport({ round: await nextRound(f), navPerToken: price });
    const tx = f.vault.submitNavReport(report, await signReport(f, report));
    // 100 / 1.003 and 333 / 1.003 in USSI, down; 100 USSI * 1.003 in USDC, down.
    const E36 = 10n ** 36n; // {1e18 USD per USDC-whole} * 1e18
    const total = (433n * E36) / price; // one floor over the epoch's total
    await expect(tx).to.emit(f.vault, "EpochSettled").withArgs(epoch, report.round, price, 0n, total, 100n * WAD, 100_300_000n);
    expect((100n * E36) / price + (333n * E36) / price).to.be.lte(total);
    await expect(f.vault.connect(f.alice).claim(a))
      .to.emit(f.vault, "Claimed")
      .withArgs(a, f.alice.address, epoch, price, (100n * E36) / price);
    await expect(f.vault.connect(f.bob).claim(b)).to.emit(f.vault, "Claimed").withArgs(b, f.bob.address, epoch, price, (333n * E36) / price);
    await expect(f.vault.connect(f.carol).claim(c)).to.changeTokenBalance(f.usdc, f.carol, 100_300_000n);
  });

  it("a request made after a report waits for the next one (no settlement at a price already known)", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await settleAt(f, WAD + WAD / 1000n);
    const id = await requestDeposit(f, f.alice, 100n * USDC);
    await expect(f.vault.connect(f.alice).claim(id))
      .to.be.revertedWithCustomError(f.vault, "RequestNotSettled")
      .withArgs(id, await f.vault.currentEpoch());
  });

  it("values MAG7.ssi deposits at settlement (not at request), less the haircut; no transfer lock afterwards", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const id = await f.vault.requestCount();
    await f.vault.connect(f.alice).requestDepositIndex(100n * WAD); // navPerShare 2.00 at request
    await f.index.setNavPerShare((19n * WAD) / 10n); // 1.90 at settlement
    await settleAt(f, WAD);
    // 100 * 1.90 * 0.99 / 1.00 = 188.1 USSI
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.vault, f.alice, 1881n * WAD / 10n);
    // Freely transferable at once: nothing for a lock to protect, the price was unknown at request.
    await expect(f.vault.connect(f.alice).transfer(f.outsider.address, 1881n * WAD / 10n)).to.changeTokenBalance(
      f.vault,
      f.outsider,
      1881n * WAD / 10n,
    );
  });

  it("returns MAG7.ssi in kind when it cannot be valued at settlement, and settlement goes on", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const dep = await f.vault.requestCount();
    await f.vault.connect(f.alice).requestDepositIndex(100n * WAD);
    const red = await requestRedeem(f, f.bob, 100n * WAD);
    await f.index.setNavPerShare(0n);
    await settleAt(f, WAD);
    await expect(f.vault.connect(f.alice).claim(dep)).to.changeTokenBalance(f.index, f.alice, 100n * WAD);
    await expect(f.vault.connect(f.bob).claim(red)).to.changeTokenBalance(f.usdc, f.bob, 100n * USDC);
  });

  it("prices instant redemptions at the last NAV less maxNavChangeBps and caps them per epoch", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    // 3,000 USSI at 1.00: cap 1% of NAV per epoch; 10 USSI pay 10 * (1 - 0.005) = 9.95 USDC.
    await expect(f.vault.connect(f.alice).redeem(10n * WAD, 0)).to.changeTokenBalance(f.usdc, f.alice, 9_950_000n);
    // The cap is 1% of the NAV now (2,990 USSI: 29.90 USDC), less the 9.95 already paid.
    await expect(f.vault.connect(f.alice).redeem(25n * WAD, 0))
      .to.be.revertedWithCustomError(f.vault, "InstantCapReached")
      .withArgs(24_875_000n, 29_900_000n - 9_950_000n);
    await settleAt(f, WAD); // a new epoch resets the cap
    await expect(f.vault.connect(f.alice).redeem(25n * WAD, 0)).to.changeTokenBalance(f.usdc, f.alice, 24_875_000n);
  });
});

describe("USSI risk limits keep exits open (review: the risk role alone froze exits)", function () {
  it("refuses maxNavAge below 1 hour (the review set 1 s)", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavAge: 1n }))
      .to.be.revertedWithCustomError(f.vault, "InvalidLimit")
      .withArgs(ethers.encodeBytes32String("maxNavAge"), 1n);
    await expect(f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavChangeBps: 1n }))
      .to.be.revertedWithCustomError(f.vault, "InvalidLimit")
      .withArgs(ethers.encodeBytes32String("maxNavChangeBps"), 1n);
  });

  it("at the floor, a report relayed within the hour still settles, and claims need no fresh NAV", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNavAge: MAX_NAV_AGE });
    await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_000n * USDC); // 1,000 USDC stay
    const id = await requestRedeem(f, f.alice, 500n * WAD);
    const report = await makeReport({ round: await nextRound(f), navPerToken: WAD });
    await time.increase(MAX_NAV_AGE - 10n);
    await f.vault.connect(f.outsider).submitNavReport(report, await signReport(f, report));
    await time.increase(30n * 86_400n); // the NAV is long stale
    expect(await f.vault.isNavFresh()).to.equal(false);
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.usdc, f.alice, 500n * USDC);
    // Funding an already-priced redemption needs no fresh NAV either.
    const bob = await requestRedeem(f, f.bob, 1_000n * WAD);
    const r2 = await makeReport({ round: await nextRound(f), navPerToken: WAD });
    await f.vault.submitNavReport(r2, await signReport(f, r2));
    await time.increase(30n * 86_400n);
    const [owed, funded] = await f.vault.redemptionFunding();
    expect(owed - funded).to.equal(500n * USDC); // the buffer paid 500 at settlement
    expect(await f.vault.isNavFresh()).to.equal(false);
    await f.vault.connect(f.strategy).fulfil(owed - funded);
    await expect(f.vault.connect(f.bob).claim(bob)).to.changeTokenBalance(f.usdc, f.bob, 1_000n * USDC);
  });

  it("un-allowing an asset the book holds blocks new allocation only: reports, requests, fulfilment and claims go on", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const btc = ethers.Wallet.createRandom().address;
    await f.vault.connect(f.risk).setAllowedAsset(btc, true);
    await f.vault.connect(f.strategy).declareBook([btc]);
    await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_800n * USDC);
    await f.vault.connect(f.risk).setAllowedAsset(btc, false);
    const id = await requestRedeem(f, f.alice, 1_000n * WAD);
    await settleAt(f, WAD); // the report is accepted: the allowed list does not gate it
    await expect(f.vault.connect(f.alice).claim(id)).to.be.revertedWithCustomError(f.vault, "RequestNotFunded");
    await f.vault.connect(f.strategy).fulfil(1_000n * USDC);
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.usdc, f.alice, 1_000n * USDC);
    await expect(f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 1n))
      .to.be.revertedWithCustomError(f.vault, "AssetNotAllowed")
      .withArgs(btc);
  });

  it("pause and a zero delta limit stop deposits, never redemption requests, settlement or claims", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await f.vault.connect(f.risk).setLimits({ ...LIMITS, maxNetDeltaBps: 0n });
    await f.vault.connect(f.risk).pause();
    await expect(f.vault.connect(f.bob).requestDeposit(100n * USDC)).to.be.revertedWithCustomError(f.vault, "EnforcedPause");
    const id = await requestRedeem(f, f.alice, 100n * WAD);
    const r = await settleAt(f, WAD); // netDeltaBps 10 > 0: accepted, deposits delta-paused
    expect(await f.vault.deltaBreachRound()).to.equal(r.round);
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.usdc, f.alice, 100n * USDC);
    await f.vault.connect(f.risk).unpause();
    await expect(f.vault.connect(f.bob).requestDeposit(100n * USDC))
      .to.be.revertedWithCustomError(f.vault, "DeltaLimitActive")
      .withArgs(r.round);
  });
});

describe("USSI claims, request size, roles", function () {
  it("pays each of several settled requests once: double claims by two claimants fail and take nothing", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const a = await requestRedeem(f, f.alice, 300n * WAD);
    const b = await requestRedeem(f, f.bob, 200n * WAD);
    const d = await requestDeposit(f, f.carol, 50n * USDC);
    await settleAt(f, WAD);
    await expect(f.vault.connect(f.alice).claim(a)).to.changeTokenBalance(f.usdc, f.alice, 300n * USDC);
    await expect(f.vault.connect(f.alice).claim(a)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed").withArgs(a);
    await expect(f.vault.connect(f.alice).claim(b))
      .to.be.revertedWithCustomError(f.vault, "NotRequestOwner")
      .withArgs(b, f.alice.address, f.bob.address);
    await expect(f.vault.connect(f.bob).claim(b)).to.changeTokenBalance(f.usdc, f.bob, 200n * USDC);
    await expect(f.vault.connect(f.bob).claim(b)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed").withArgs(b);
    await expect(f.vault.connect(f.carol).claim(d)).to.changeTokenBalance(f.vault, f.carol, 50n * WAD);
    await expect(f.vault.connect(f.carol).claim(d)).to.be.revertedWithCustomError(f.vault, "AlreadyClaimed").withArgs(d);
    expect(await f.vault.reservedAssets()).to.equal(0n);
  });

  it("refuses requests below minRequestUsd, except a redemption of the whole balance", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await expect(f.vault.connect(f.alice).requestDeposit(9_999_999n))
      .to.be.revertedWithCustomError(f.vault, "RequestTooSmall")
      .withArgs(9_999_999n * 10n ** 12n, 10n * WAD);
    await expect(f.vault.connect(f.alice).requestRedeem(WAD)).to.be.revertedWithCustomError(f.vault, "RequestTooSmall");
    await f.vault.connect(f.alice).transfer(f.outsider.address, WAD);
    await expect(f.vault.connect(f.outsider).requestRedeem(WAD)).to.emit(f.vault, "Requested");
  });

  it("refuses STRATEGY and RISK on one account in both grant orders", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const vault = await f.vault.getAddress();
    const risk = await f.vault.RISK_ROLE();
    const strategy = await f.vault.STRATEGY_ROLE();
    await expect(viaTimelock(f, vault, f.vault.interface.encodeFunctionData("grantRole", [risk, f.strategy.address])))
      .to.be.revertedWithCustomError(f.vault, "RoleConflict")
      .withArgs(f.strategy.address, risk);
    await expect(viaTimelock(f, vault, f.vault.interface.encodeFunctionData("grantRole", [strategy, f.risk.address])))
      .to.be.revertedWithCustomError(f.vault, "RoleConflict")
      .withArgs(f.risk.address, strategy);
  });

  it("refuses a report relayed twice with RoundNotNext", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const report = await makeReport({ round: await nextRound(f), navPerToken: WAD });
    const sigs = await signReport(f, report);
    await f.vault.submitNavReport(report, sigs);
    await expect(f.vault.submitNavReport(report, sigs))
      .to.be.revertedWithCustomError(f.vault, "RoundNotNext")
      .withArgs(report.round, report.round + 1n);
    void pushReport;
  });
});

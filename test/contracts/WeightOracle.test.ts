import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder } from "ethers";
import { WAD, DAY, ROLES, MIN_ADMIN_DELAY, coreFixture, deployGovernance, deployVault, makeReport, signReport, WEIGHT_REPORT_TYPES, type Report } from "../fixtures/contracts";
import { quorumDomain } from "../../chain/quorum";

async function fixture() {
  return coreFixture(ethers);
}

describe("WeightOracle", () => {
  async function next(f: Awaited<ReturnType<typeof fixture>>, patch: Partial<Report> = {}): Promise<Report> {
    return { ...(await makeReport(ethers, f.vault, 2n, f.tokenAddresses, f.weights)), ...patch };
  }

  describe("#submit", () => {
    it("accepts a quorum-signed report from any relayer and forwards it to the vault", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f, { weights: [WAD / 5n, WAD / 5n, (WAD * 3n) / 5n] });
      const sigs = await signReport(f.oracle, [f.signers[0]!, f.signers[2]!], report);
      const digest = await f.oracle.reportDigest(report);
      await expect(f.oracle.connect(f.outsider).submit(report, sigs))
        .to.emit(f.oracle, "ReportAccepted")
        .withArgs(report.index, 2n, digest, f.outsider.address)
        .and.to.emit(f.vault, "TargetsUpdated")
        .withArgs(2n, report.constituents, report.weights);
      expect(await f.oracle.lastRound(report.index)).to.equal(2n);
      const [round, , weights] = await f.vault.targets();
      expect(round).to.equal(2n);
      expect(weights).to.deep.equal(report.weights);
    });

    it("publishes its price registry and the EIP-712 domain separator its signers sign under", async () => {
      const f = await loadFixture(fixture);
      expect(await f.oracle.priceRegistry()).to.equal(await f.market.registry.getAddress());
      expect(await f.oracle.domainSeparator()).to.equal(TypedDataEncoder.hashDomain(await quorumDomain(f.oracle)));
    });

    it("computes the EIP-712 digest ethers signs", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f);
      expect(await f.oracle.reportDigest(report)).to.equal(TypedDataEncoder.hash(await quorumDomain(f.oracle), WEIGHT_REPORT_TYPES, report));
    });

    it("reverts with RoundNotNext for a replayed, older or skipped round", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f, { round: 1n });
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report)))
        .to.be.revertedWithCustomError(f.oracle, "RoundNotNext")
        .withArgs(report.index, 1n, 2n);
      const skip = await next(f, { round: 3n });
      await expect(f.oracle.submit(skip, await signReport(f.oracle, f.signers, skip)))
        .to.be.revertedWithCustomError(f.oracle, "RoundNotNext")
        .withArgs(skip.index, 3n, 2n);
      const ok = await next(f, { round: 2n });
      const sigs = await signReport(f.oracle, f.signers, ok);
      await f.oracle.submit(ok, sigs);
      await expect(f.oracle.submit(ok, sigs)).to.be.revertedWithCustomError(f.oracle, "RoundNotNext").withArgs(ok.index, 2n, 3n);
    });

    // Review point 3 (issue 13): a report with the largest round, once accepted, froze the vault forever.
    it("refuses a quorum-signed report with round 2^64-1, so the round space cannot be exhausted", async () => {
      const f = await loadFixture(fixture);
      const max = 2n ** 64n - 1n;
      const report = await next(f, { round: max });
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report)))
        .to.be.revertedWithCustomError(f.oracle, "RoundNotNext")
        .withArgs(report.index, max, 2n);
      expect(await f.oracle.lastRound(f.vault)).to.equal(1n);
      const following = await next(f, { round: 2n });
      await f.oracle.submit(following, await signReport(f.oracle, f.signers, following));
      expect(await f.oracle.lastRound(f.vault)).to.equal(2n);
    });

    it("keeps rounds per index: round 1 of a second vault is accepted", async () => {
      const f = await loadFixture(fixture);
      const other = await deployVault(ethers, f.gov, f.market.registry, { symbol: "OTHER.ssi" });
      await f.gov.exec(other, "grantRole", [ROLES.ORACLE, f.oracle.target]);
      const report = await makeReport(ethers, other, 1n, f.tokenAddresses, f.weights);
      await f.oracle.submit(report, await signReport(f.oracle, f.signers, report));
      expect(await f.oracle.lastRound(other)).to.equal(1n);
      expect(await f.oracle.lastRound(f.vault)).to.equal(1n);
    });

    it("reverts with ReportNotYetValid before validAfter", async () => {
      const f = await loadFixture(fixture);
      const now = BigInt(await time.latest());
      const report = await next(f, { validAfter: now + 100n, expiresAt: now + 3600n });
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report))).to.be.revertedWithCustomError(f.oracle, "ReportNotYetValid");
      await time.setNextBlockTimestamp(now + 100n);
      await f.oracle.submit(report, await signReport(f.oracle, f.signers, report));
    });

    it("reverts with ReportExpired after expiresAt", async () => {
      const f = await loadFixture(fixture);
      const now = BigInt(await time.latest());
      const report = await next(f, { validAfter: now - 10n, expiresAt: now + 5n });
      const sigs = await signReport(f.oracle, f.signers, report);
      await time.setNextBlockTimestamp(now + 6n);
      await expect(f.oracle.submit(report, sigs)).to.be.revertedWithCustomError(f.oracle, "ReportExpired").withArgs(now + 5n, now + 6n);
    });

    it("reverts with ExpiryTooFar when expiresAt is beyond now + maxValidity, per the admin's setting", async () => {
      const f = await loadFixture(fixture);
      expect(await f.oracle.maxValidity()).to.equal(DAY);
      const now = BigInt(await time.latest());
      const report = await next(f, { expiresAt: now + 2n * DAY });
      const sigs = await signReport(f.oracle, f.signers, report);
      await time.setNextBlockTimestamp(now + 1n);
      await expect(f.oracle.submit(report, sigs)).to.be.revertedWithCustomError(f.oracle, "ExpiryTooFar").withArgs(now + 2n * DAY, now + 1n, DAY);
      await expect(f.gov.exec(f.oracle, "setMaxValidity", [3n * DAY])).to.emit(f.oracle, "MaxValidityUpdated").withArgs(3n * DAY);
      const far = await next(f, { expiresAt: BigInt(await time.latest()) + 2n * DAY });
      await f.oracle.submit(far, await signReport(f.oracle, f.signers, far));
    });

    it("lets only the admin set a max validity, between 1 s and 7 days", async () => {
      const f = await loadFixture(fixture);
      await expect(f.oracle.connect(f.outsider).setMaxValidity(1)).to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount");
      await expect(f.gov.exec(f.oracle, "setMaxValidity", [0])).to.be.revertedWithCustomError(f.oracle, "InvalidMaxValidity").withArgs(0);
      expect(await f.oracle.MAX_VALIDITY()).to.equal(7n * DAY);
      await expect(f.gov.exec(f.oracle, "setMaxValidity", [7n * DAY + 1n])).to.be.revertedWithCustomError(f.oracle, "InvalidMaxValidity").withArgs(7n * DAY + 1n);
      await f.gov.exec(f.oracle, "setMaxValidity", [7n * DAY]);
      expect(await f.oracle.maxValidity()).to.equal(7n * DAY);
    });

    const invalid: [string, (f: Awaited<ReturnType<typeof fixture>>) => Partial<Report>, string][] = [
      ["weights summing below 1e18", (f) => ({ weights: [f.weights[0]! - 1n, f.weights[1]!, f.weights[2]!] }), "WeightsSumNotOne"],
      ["weights summing above 1e18", (f) => ({ weights: [f.weights[0]! + 1n, f.weights[1]!, f.weights[2]!] }), "WeightsSumNotOne"],
      ["a duplicate constituent", (f) => ({ constituents: [f.tokenAddresses[0]!, f.tokenAddresses[1]!, f.tokenAddresses[0]!] }), "DuplicateConstituent"],
      ["a length mismatch", (f) => ({ weights: [WAD / 2n, WAD / 2n] , constituents: f.tokenAddresses }), "LengthMismatch"],
      ["an empty basket", () => ({ constituents: [], weights: [] }), "EmptyBasket"],
      ["a zero weight", (f) => ({ constituents: [...f.tokenAddresses], weights: [WAD / 2n, WAD / 2n, 0n] }), "ZeroWeight"],
      ["the zero address", (f) => ({ constituents: [f.tokenAddresses[0]!, ethers.ZeroAddress, f.tokenAddresses[2]!] }), "ZeroAddressConstituent"],
      ["a constituent without a price feed", (f) => ({ constituents: [f.tokenAddresses[0]!, f.tokenAddresses[1]!, f.outsider.address] }), "ConstituentWithoutFeed"],
      ["more than 32 constituents", () => ({ constituents: Array.from({ length: 33 }, (_, i) => ethers.zeroPadValue(ethers.toBeHex(i + 1), 20)), weights: Array.from({ length: 33 }, () => 1n) }), "TooManyConstituents"],
      ["the zero index", () => ({ index: ethers.ZeroAddress }), "ZeroIndex"],
    ];
    for (const [what, patch, error] of invalid) {
      it(`reverts with ${error} for ${what}`, async () => {
        const f = await loadFixture(fixture);
        const report = await next(f, patch(f));
        await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report))).to.be.revertedWithCustomError(f.oracle, error);
      });
    }

    it("reverts with QuorumNotMet with one signature of a 2-of-3 set", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f);
      await expect(f.oracle.submit(report, await signReport(f.oracle, [f.signers[1]!], report)))
        .to.be.revertedWithCustomError(f.oracle, "QuorumNotMet")
        .withArgs(1, 2);
    });

    it("reverts with UnknownSigner for a tampered report or a signer outside the set", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f);
      const sigs = await signReport(f.oracle, [f.signers[0]!, f.signers[1]!], report);
      const tampered = { ...report, weights: [f.weights[0]! - 1n, f.weights[1]! + 1n, f.weights[2]!] };
      await expect(f.oracle.submit(tampered, sigs)).to.be.revertedWithCustomError(f.oracle, "UnknownSigner");
      await expect(f.oracle.submit(report, await signReport(f.oracle, [f.signers[0]!, f.outsider], report)))
        .to.be.revertedWithCustomError(f.oracle, "UnknownSigner")
        .withArgs(f.outsider.address);
    });

    it("reverts with UnknownSigner for signatures made for another oracle deployment (replay across domains)", async () => {
      const f = await loadFixture(fixture);
      const other = await ethers.deployContract("WeightOracle", [f.gov.address, f.market.registry, f.signers.map((s) => s.address), 2]);
      const report = await next(f);
      const sigs = await signReport(other, f.signers, report);
      await expect(f.oracle.submit(report, sigs)).to.be.revertedWithCustomError(f.oracle, "UnknownSigner");
    });

    it("bubbles the vault's AccessControl error when the oracle lacks ORACLE_ROLE", async () => {
      const f = await loadFixture(fixture);
      await f.gov.exec(f.vault, "revokeRole", [ROLES.ORACLE, f.oracle.target]);
      const report = await next(f);
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report)))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(await f.oracle.getAddress(), ROLES.ORACLE);
    });
  });
  // Review points 1 and 2 (issue 13): one admin key could rewrite the signer set or the vault's roles at once.
  describe("governance", () => {
    it("refuses, in the constructor, an admin that is not a TimelockController with at least a 1-day delay", async () => {
      const f = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("WeightOracle");
      const signers = f.signers.map((s) => s.address);
      await expect(factory.deploy(f.admin.address, f.market.registry, signers, 2))
        .to.be.revertedWithCustomError(factory, "AdminNotTimelock")
        .withArgs(f.admin.address);
      await expect(factory.deploy(f.market.registry, f.market.registry, signers, 2)) // code, but no getMinDelay
        .to.be.revertedWithCustomError(factory, "AdminNotTimelock");
      const short = await deployGovernance(ethers, f.admin, MIN_ADMIN_DELAY - 1n);
      await expect(factory.deploy(short.address, f.market.registry, signers, 2))
        .to.be.revertedWithCustomError(factory, "AdminDelayTooShort")
        .withArgs(short.address, MIN_ADMIN_DELAY - 1n, MIN_ADMIN_DELAY);
    });

    it("refuses updateSigners([self], [], 1) from the admin's key: the change must wait out the timelock's delay", async () => {
      const f = await loadFixture(fixture);
      const self = f.admin;
      await expect(f.oracle.connect(self).updateSigners([self.address], [], 1))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(self.address, ROLES.ADMIN);
      // Through the timelock the change is queued in public and cannot run before the delay.
      const data = f.oracle.interface.encodeFunctionData("updateSigners", [[self.address], [], 1]);
      const salt = ethers.id("1-of-1");
      await expect(f.gov.timelock.schedule(f.oracle, 0, data, ethers.ZeroHash, salt, MIN_ADMIN_DELAY)).to.emit(f.gov.timelock, "CallScheduled");
      await expect(f.gov.timelock.execute(f.oracle, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(f.gov.timelock, "TimelockUnexpectedOperationState");
      const report = await next(f);
      await expect(f.oracle.submit(report, await signReport(f.oracle, [self], report))).to.be.revertedWithCustomError(f.oracle, "UnknownSigner");
      expect(await f.oracle.quorum()).to.equal(2n);
      // Holders (and the canceller) had the whole delay to see it; only after it does it run.
      await time.increase(MIN_ADMIN_DELAY);
      await f.gov.timelock.execute(f.oracle, 0, data, ethers.ZeroHash, salt);
      expect(await f.oracle.quorum()).to.equal(1n);
    });

    it("does not let the vault's admin key grant itself ORACLE_ROLE and set targets directly", async () => {
      const f = await loadFixture(fixture);
      await expect(f.vault.connect(f.admin).grantRole(ROLES.ORACLE, f.admin.address))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, ROLES.ADMIN);
      await expect(f.vault.connect(f.admin).setTargets(2, f.tokenAddresses, f.weights))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, ROLES.ORACLE);
      expect(await f.vault.hasRole(ROLES.ADMIN, f.admin.address)).to.equal(false);
      expect(await f.vault.hasRole(ROLES.ADMIN, f.gov.address)).to.equal(true);
    });
  });
});

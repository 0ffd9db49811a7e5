import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder } from "ethers";
import { WAD, DAY, ROLES, coreFixture, deployVault, makeReport, signReport, WEIGHT_REPORT_TYPES, type Report } from "../fixtures/contracts";
import { quorumDomain } from "../../tasks/lib/quorum";

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

    it("computes the EIP-712 digest ethers signs", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f);
      expect(await f.oracle.reportDigest(report)).to.equal(TypedDataEncoder.hash(await quorumDomain(f.oracle), WEIGHT_REPORT_TYPES, report));
    });

    it("reverts with RoundNotIncreasing for a replayed or older round", async () => {
      const f = await loadFixture(fixture);
      const report = await next(f, { round: 1n });
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report)))
        .to.be.revertedWithCustomError(f.oracle, "RoundNotIncreasing")
        .withArgs(report.index, 1n, 1n);
      // The vault takes only the next round (issue 8 / 13): 2 after 1.
      const ok = await next(f, { round: 2n });
      const sigs = await signReport(f.oracle, f.signers, ok);
      await f.oracle.submit(ok, sigs);
      await expect(f.oracle.submit(ok, sigs)).to.be.revertedWithCustomError(f.oracle, "RoundNotIncreasing").withArgs(ok.index, 2n, 2n);
      const older = await next(f, { round: 1n });
      await expect(f.oracle.submit(older, await signReport(f.oracle, f.signers, older))).to.be.revertedWithCustomError(f.oracle, "RoundNotIncreasing");
    });

    it("keeps rounds per index: round 1 of a second vault is accepted", async () => {
      const f = await loadFixture(fixture);
      const other = await deployVault(ethers, f.admin, f.market.registry, { symbol: "OTHER.ssi" });
      await other.grantRole(ROLES.ORACLE, f.oracle);
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
      await expect(f.oracle.setMaxValidity(3n * DAY)).to.emit(f.oracle, "MaxValidityUpdated").withArgs(3n * DAY);
      await f.oracle.submit(report, sigs);
    });

    it("lets only the admin set a non-zero max validity", async () => {
      const f = await loadFixture(fixture);
      await expect(f.oracle.connect(f.outsider).setMaxValidity(1)).to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount");
      await expect(f.oracle.setMaxValidity(0)).to.be.revertedWithCustomError(f.oracle, "InvalidMaxValidity").withArgs(0);
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
      const other = await ethers.deployContract("WeightOracle", [f.admin.address, f.market.registry, f.signers.map((s) => s.address), 2]);
      const report = await next(f);
      const sigs = await signReport(other, f.signers, report);
      await expect(f.oracle.submit(report, sigs)).to.be.revertedWithCustomError(f.oracle, "UnknownSigner");
    });

    it("bubbles the vault's AccessControl error when the oracle lacks ORACLE_ROLE", async () => {
      const f = await loadFixture(fixture);
      await f.vault.revokeRole(ROLES.ORACLE, f.oracle);
      const report = await next(f);
      await expect(f.oracle.submit(report, await signReport(f.oracle, f.signers, report)))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(await f.oracle.getAddress(), ROLES.ORACLE);
    });
  });
});

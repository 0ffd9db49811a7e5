import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  LIMITS,
  MAX_NAV_AGE,
  USDC,
  WAD,
  deployVault,
  deployVaultWithNav,
  makeReport,
  pushReport,
  reportTuple,
  signReport,
} from "./fixture";

describe("UssiVault NAV reports", function () {
  describe("#submitNavReport", function () {
    it("accepts a 2-of-3 signed report relayed by anyone and stores every field, funding included", async function () {
      const f = await loadFixture(deployVault);
      const report = await makeReport({ round: 1n, navPerToken: WAD + WAD / 1000n, fundingAccrued: 4_321n * WAD });
      const sigs = await signReport(f, report);
      expect(await f.vault.connect(f.outsider).submitNavReport.staticCall(report, sigs)).to.equal(0n); // settles epoch 0
      await expect(f.vault.connect(f.outsider).submitNavReport(report, sigs))
        .to.emit(f.vault, "NavReported")
        .withArgs(1n, reportTuple(report));
      const stored = await f.vault.lastAcceptedReport();
      expect(stored.fundingAccrued).to.equal(4_321n * WAD);
      expect(stored.navPerToken).to.equal(WAD + WAD / 1000n);
      expect([stored.round, stored.timestamp]).to.deep.equal([1n, report.timestamp]);
      expect(await f.vault.currentEpoch()).to.equal(1n);
      expect(await f.vault.isNavFresh()).to.equal(true);
    });

    it("reverts QuorumNotMet with one signature and UnknownSigner with an outsider's", async function () {
      const f = await loadFixture(deployVault);
      const report = await makeReport({ round: 1n });
      await expect(f.vault.submitNavReport(report, await signReport(f, report, [f.oracleSigners[0]!])))
        .to.be.revertedWithCustomError(f.vault, "QuorumNotMet")
        .withArgs(1n, 2n);
      await expect(f.vault.submitNavReport(report, await signReport(f, report, [f.oracleSigners[0]!, f.outsider])))
        .to.be.revertedWithCustomError(f.vault, "UnknownSigner")
        .withArgs(f.outsider.address);
    });

    it("reverts when a signed field is altered after signing", async function () {
      const f = await loadFixture(deployVault);
      const report = await makeReport({ round: 1n });
      const sigs = await signReport(f, report);
      // The recovered addresses change, so they are no longer the signer set.
      await expect(f.vault.submitNavReport({ ...report, navPerToken: report.navPerToken + 1n }, sigs)).to.be.reverted;
      await expect(f.vault.submitNavReport({ ...report, fundingAccrued: report.fundingAccrued + 1n }, sigs)).to.be.reverted;
    });

    describe("timing and order", function () {
      it("rejects a report from the future beyond the 5-minute skew, accepts one at the skew", async function () {
        const f = await loadFixture(deployVault);
        const now = BigInt(await time.latest()) + 10n;
        const skew = 300n; // MAX_FUTURE_SKEW, 5 minutes
        const future = await makeReport({ round: 1n, timestamp: now + skew + 1n });
        await time.setNextBlockTimestamp(now);
        await expect(f.vault.submitNavReport(future, await signReport(f, future)))
          .to.be.revertedWithCustomError(f.vault, "FutureReport")
          .withArgs(now + skew + 1n, now);
        const atSkew = await makeReport({ round: 1n, timestamp: now + 1n + skew });
        await time.setNextBlockTimestamp(now + 1n);
        await expect(f.vault.submitNavReport(atSkew, await signReport(f, atSkew))).to.emit(f.vault, "NavReported");
      });

      it("rejects a report older than maxNavAge at submission, accepts one exactly maxNavAge old", async function () {
        const f = await loadFixture(deployVault);
        const now = BigInt(await time.latest()) + 10n;
        const stale = await makeReport({ round: 1n, timestamp: now - MAX_NAV_AGE - 1n });
        await time.setNextBlockTimestamp(now);
        await expect(f.vault.submitNavReport(stale, await signReport(f, stale)))
          .to.be.revertedWithCustomError(f.vault, "StaleReport")
          .withArgs(now - MAX_NAV_AGE - 1n, now, MAX_NAV_AGE);
        const edge = await makeReport({ round: 1n, timestamp: now + 1n - MAX_NAV_AGE });
        await time.setNextBlockTimestamp(now + 1n);
        await expect(f.vault.submitNavReport(edge, await signReport(f, edge))).to.emit(f.vault, "NavReported");
      });

      it("rejects a replayed, lower or skipped round, and a next round that does not move time forward", async function () {
        const f = await loadFixture(deployVault);
        await expect(f.vault.submitNavReport(...(await signed(f, { round: 2n })))).to.be.revertedWithCustomError(f.vault, "RoundNotNext").withArgs(2n, 1n);
        const first = await pushReport(f, { round: 1n });
        const replay = f.vault.submitNavReport(first, await signReport(f, first));
        await expect(replay).to.be.revertedWithCustomError(f.vault, "RoundNotNext").withArgs(1n, 2n);
        const lower = await makeReport({ round: 0n, timestamp: first.timestamp + 1n });
        await expect(f.vault.submitNavReport(lower, await signReport(f, lower)))
          .to.be.revertedWithCustomError(f.vault, "RoundNotNext")
          .withArgs(0n, 2n);
        const skip = await makeReport({ round: 3n, timestamp: first.timestamp + 1n });
        await expect(f.vault.submitNavReport(skip, await signReport(f, skip)))
          .to.be.revertedWithCustomError(f.vault, "RoundNotNext")
          .withArgs(3n, 2n);
        const sameTime = await makeReport({ round: 2n, timestamp: first.timestamp });
        await expect(f.vault.submitNavReport(sameTime, await signReport(f, sameTime)))
          .to.be.revertedWithCustomError(f.vault, "TimestampNotIncreasing")
          .withArgs(first.timestamp, first.timestamp);
        await expect(pushReport(f, { round: 2n, timestamp: first.timestamp + 1n })).not.to.be.reverted;
      });
    });

    describe("NAV manipulation bound (50 bps per report, a delta-neutral book)", function () {
      // Against the last accepted navPerToken, here 1.00 USD: the bound is [0.995, 1.005] inclusive.
      const cases: { name: string; navPerToken: bigint; ok: boolean }[] = [
        { name: "+0.5% exactly", navPerToken: (WAD * 1005n) / 1000n, ok: true },
        { name: "+0.5% and 1 wei", navPerToken: (WAD * 1005n) / 1000n + 1n, ok: false },
        { name: "-0.5% exactly", navPerToken: (WAD * 995n) / 1000n, ok: true },
        { name: "-0.5% and 1 wei", navPerToken: (WAD * 995n) / 1000n - 1n, ok: false },
        { name: "doubled", navPerToken: 2n * WAD, ok: false },
      ];
      for (const c of cases) {
        it(`${c.ok ? "accepts" : "reverts NavChangeTooLarge for"} navPerToken ${c.name}`, async function () {
          const f = await loadFixture(deployVaultWithNav);
          const report = await makeReport({ round: 3n, navPerToken: c.navPerToken });
          const tx = f.vault.submitNavReport(report, await signReport(f, report));
          if (c.ok) {
            await expect(tx).to.emit(f.vault, "NavReported");
            expect((await f.vault.lastAcceptedReport()).navPerToken).to.equal(c.navPerToken);
          } else {
            await expect(tx).to.be.revertedWithCustomError(f.vault, "NavChangeTooLarge").withArgs(WAD, c.navPerToken, 50n);
            expect((await f.vault.lastAcceptedReport()).navPerToken).to.equal(WAD);
          }
        });
      }

      it("bounds the first report against 1.00 USD", async function () {
        const f = await loadFixture(deployVault);
        const report = await makeReport({ round: 1n, navPerToken: 2n * WAD });
        await expect(f.vault.submitNavReport(report, await signReport(f, report)))
          .to.be.revertedWithCustomError(f.vault, "NavChangeTooLarge")
          .withArgs(WAD, 2n * WAD, 50n);
      });

      it("reaches a NAV beyond the bound only through several reports", async function () {
        const f = await loadFixture(deployVaultWithNav);
        let nav = WAD;
        for (let round = 3n; round < 8n; round++) {
          nav = (nav * 1005n) / 1000n;
          await pushReport(f, { round, navPerToken: nav });
        }
        expect((await f.vault.lastAcceptedReport()).navPerToken).to.equal(nav);
        expect(nav).to.be.greaterThan((WAD * 1025n) / 1000n);
      });
    });

    describe("consistency", function () {
      it("reverts InconsistentNav when nav < spot + perpPnl + funding, accepts zero implied cash", async function () {
        const f = await loadFixture(deployVault);
        const nav = 1_000n * WAD;
        const bad = await makeReport({ round: 1n, nav, spotValue: 990n * WAD, perpPnl: 5n * WAD, fundingAccrued: 5n * WAD + 1n });
        await expect(f.vault.submitNavReport(bad, await signReport(f, bad)))
          .to.be.revertedWithCustomError(f.vault, "InconsistentNav")
          .withArgs(nav, 990n * WAD, 5n * WAD, 5n * WAD + 1n);
        const exact = await makeReport({ round: 1n, nav, spotValue: 990n * WAD, perpPnl: 5n * WAD, fundingAccrued: 5n * WAD });
        await expect(f.vault.submitNavReport(exact, await signReport(f, exact))).to.emit(f.vault, "NavReported");
      });

      it("reverts ZeroNavPerToken", async function () {
        const f = await loadFixture(deployVault);
        const report = await makeReport({ round: 1n, navPerToken: 0n });
        await expect(f.vault.submitNavReport(report, await signReport(f, report))).to.be.revertedWithCustomError(
          f.vault,
          "ZeroNavPerToken",
        );
      });
    });
  });

});

/** A report built by `makeReport` and its 2-of-3 signatures, as `submitNavReport` arguments. */
async function signed(f: Awaited<ReturnType<typeof deployVault>>, overrides: Parameters<typeof makeReport>[0]) {
  const report = await makeReport(overrides);
  return [report, await signReport(f, report)] as const;
}

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { makeReport, signReport, WAD } from "../fixtures/contracts";
import { sanxStackFixture } from "../contracts/sanx/fixtures";

/**
 * Review finding S-1 (low/medium): issue 13 made vault rounds advance by one, and the SANX gate now
 * numbers the vault's round itself (current + 1) "whatever the report's own round (the WeightOracle's
 * replay key)". But that replay key still only has to increase: one accepted weight report for the gate
 * with round 2^64 - 1 is forwarded normally (the vault sees round current + 1) and leaves the
 * WeightOracle's last round for the gate at its maximum, so no weight report for SANX can ever be
 * accepted again: every later membership change (SanxController.execute -> TargetsDue) can never reach
 * the vault's targets. Nothing on chain can reset `_lastRound`.
 *
 * This test PASSES on today's code: it demonstrates the freeze.
 */
describe("review S-1: a gate weight report with round 2^64 - 1 freezes SANX targets", function () {
  it("is forwarded as the vault's next round, then every later report is refused", async function () {
    const f = await loadFixture(sanxStackFixture);
    const MAX = 2n ** 64n - 1n;
    const [vaultRound] = await f.vault.targets();
    const report = await makeReport(ethers, f.gate, MAX, [f.usdc], [WAD]);
    await f.weightOracle.connect(f.outsider).submit(report, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), report));
    expect((await f.vault.targets())[0]).to.equal(vaultRound + 1n); // accepted and forwarded
    expect(await f.weightOracle.lastRound(f.gate)).to.equal(MAX);
    const next = await makeReport(ethers, f.gate, MAX, [f.usdc], [WAD]);
    await expect(f.weightOracle.connect(f.outsider).submit(next, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), next)))
      .to.be.revertedWithCustomError(f.weightOracle, "RoundNotIncreasing")
      .withArgs(f.gate, MAX, MAX);
  });
});

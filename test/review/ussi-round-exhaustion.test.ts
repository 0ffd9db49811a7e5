import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, deployVaultWithHolders, makeReport, pushReport, requestRedeem, signReport } from "../contracts/ussi/fixture";

/**
 * Review finding U-3 (medium): a NAV report's round only has to be greater than the last one
 * (`RoundNotIncreasing`), with no upper step. One accepted report with round = 2^64 - 1 (a reporter
 * bug such as a millisecond timestamp used as the round, or one compromised signing quorum) makes
 * every later report unacceptable, forever: no epoch settles again, so every queued redemption and
 * deposit is frozen, and once the NAV goes stale the instant path closes too. Nothing on chain can reset
 * it. The index vaults were fixed for exactly this in issue 13 (rounds advance by one); issue 9 asks
 * that no single role can freeze redemptions.
 *
 * This test PASSES on today's code: it demonstrates the freeze.
 */
describe("review U-3: one report with round 2^64 - 1 stops settlement for good", function () {
  it("after it, no report settles and a redemption request never becomes claimable", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const MAX = 2n ** 64n - 1n;
    await time.increase(60);
    await pushReport(f, { round: MAX, navPerToken: WAD }); // accepted: only "greater than the last" is checked
    const id = await requestRedeem(f, f.alice, 1_000n * WAD);
    await time.increase(60);
    // Every later report is refused, whatever its round (a uint64 cannot exceed MAX).
    const next = await makeReport({ round: MAX, navPerToken: WAD });
    await expect(f.vault.submitNavReport(next, await signReport(f, next)))
      .to.be.revertedWithCustomError(f.vault, "RoundNotIncreasing")
      .withArgs(MAX, MAX);
    await expect(f.vault.connect(f.alice).claim(id)).to.be.revertedWithCustomError(f.vault, "RequestNotSettled");
    // And once the last NAV is stale the instant path is closed as well: Alice's USSI is stuck.
    await time.increase(2 * 3600);
    await expect(f.vault.connect(f.bob).redeem(10n * WAD, 0)).to.be.revertedWithCustomError(f.vault, "NavStale");
  });
});

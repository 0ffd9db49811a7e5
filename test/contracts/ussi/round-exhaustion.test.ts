import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { USDC, WAD, deployVaultWithHolders, makeReport, requestRedeem, settleAt, signReport } from "./fixture";

/**
 * Review finding U-3 (medium): a report's round only had to be greater than the last one, so one
 * accepted report with round 2^64 - 1 (a reporter bug, or one compromised quorum) left no acceptable
 * successor: no epoch settled again and, once the NAV went stale, the instant path closed too. Rounds
 * now advance by exactly one (`RoundNotNext`), as in WeightOracle and IndexVault.
 */
describe("review U-3 (fixed): a report cannot exhaust the round space", function () {
  it("refuses round 2^64 - 1 (and any skip), and the next round still settles queued redemptions", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const MAX = 2n ** 64n - 1n;
    const last = (await f.vault.lastAcceptedReport()).round;
    await time.increase(60);
    const jump = await makeReport({ round: MAX, navPerToken: WAD });
    await expect(f.vault.submitNavReport(jump, await signReport(f, jump)))
      .to.be.revertedWithCustomError(f.vault, "RoundNotNext")
      .withArgs(MAX, last + 1n);
    const skip = await makeReport({ round: last + 2n, navPerToken: WAD });
    await expect(f.vault.submitNavReport(skip, await signReport(f, skip)))
      .to.be.revertedWithCustomError(f.vault, "RoundNotNext")
      .withArgs(last + 2n, last + 1n);
    expect((await f.vault.lastAcceptedReport()).round).to.equal(last);

    const id = await requestRedeem(f, f.alice, 1_000n * WAD);
    await settleAt(f, WAD); // round last + 1
    expect((await f.vault.lastAcceptedReport()).round).to.equal(last + 1n);
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.usdc, f.alice, 1_000n * USDC);
    await expect(f.vault.connect(f.bob).redeem(10n * WAD, 0)).not.to.be.reverted;
  });
});

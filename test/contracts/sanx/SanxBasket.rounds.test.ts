import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { makeReport, signReport, WAD } from "../../fixtures/contracts";
import { sanxStackFixture } from "./fixtures";

/**
 * Review finding S-1 (issue 13, point 3, at the SANX gate): the WeightOracle's replay key for the gate
 * only had to increase, so one quorum-signed report with round 2^64 - 1 was forwarded (the vault saw its
 * next round) and left the oracle's last round for the gate at its maximum: no later SANX weight report
 * could ever be accepted. Rounds now advance by exactly one, so that report is refused and the next
 * round still goes through.
 */
describe("SanxBasket gate: the weight round space cannot be exhausted (review S-1)", function () {
  it("refuses a gate report with round 2^64 - 1 and still accepts the next round", async function () {
    const f = await loadFixture(sanxStackFixture);
    const MAX = 2n ** 64n - 1n;
    const [vaultRound] = await f.vault.targets();
    const last = await f.weightOracle.lastRound(f.gate);
    const huge = await makeReport(ethers, f.gate, MAX, [f.usdc], [WAD]);
    await expect(f.weightOracle.connect(f.outsider).submit(huge, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), huge)))
      .to.be.revertedWithCustomError(f.weightOracle, "RoundNotNext")
      .withArgs(f.gate, MAX, last + 1n);
    const next = await makeReport(ethers, f.gate, last + 1n, [f.usdc], [WAD]);
    await f.weightOracle.connect(f.outsider).submit(next, await signReport(f.weightOracle, f.weightSigners.slice(0, 2), next));
    expect(await f.weightOracle.lastRound(f.gate)).to.equal(last + 1n);
    expect((await f.vault.targets())[0]).to.equal(vaultRound + 1n);
  });
});

import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { LIMITS, WAD, deployVaultWithHolders, settleAt } from "../contracts/ussi/fixture";

/**
 * Review finding U-2 (low/medium): a MAG7.ssi deposit request is priced with the haircut in force at
 * SETTLEMENT, not the one the depositor saw at request, and a request can neither be cancelled nor carry
 * a minimum. RISK_ROLE (no timelock: it must be able to pause quickly) can raise `indexHaircutBps` from
 * 1% to its 10% ceiling between the request and the report, and the depositor gets ~9% fewer shares;
 * the difference accrues to the existing holders (RISK itself, or whoever it colludes with, if they
 * hold USSI). Issue 9: "The risk role must not be able to move funds."
 *
 * This test PASSES on today's code: it demonstrates the transfer succeeding.
 */
describe("review U-2: RISK changes the MAG7.ssi haircut under a pending deposit", function () {
  it("a pending 100 MAG7.ssi deposit gets 180 USSI instead of 198", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const id = await f.vault.requestCount();
    await f.vault.connect(f.alice).requestDepositIndex(100n * WAD); // navPerShare 2.00, haircut 1% at request
    expect((await f.vault.limits()).indexHaircutBps).to.equal(100n);
    await f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: 1_000n }); // front-runs the report
    await settleAt(f, WAD);
    // Expected at request: 100 * 2.00 * 0.99 = 198 USSI. Paid: 100 * 2.00 * 0.90 = 180.
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.vault, f.alice, 180n * WAD);
  });
});

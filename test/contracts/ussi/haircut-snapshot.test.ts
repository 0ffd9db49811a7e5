import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { INDEX_HAIRCUT_BPS, LIMITS, WAD, deployVaultWithHolders, settleAt } from "./fixture";

/**
 * Review finding U-2 (low/medium): a MAG7.ssi deposit request was priced with the haircut in force at
 * SETTLEMENT. RISK_ROLE (no timelock) could raise `indexHaircutBps` from 1% to 10% between the request
 * and the report and move ~9% of the deposit to the holders. Each epoch now keeps the haircut in force at
 * its first MAG7.ssi deposit request (`Epoch.indexHaircutBps`); a change applies from the next epoch.
 */
describe("review U-2 (fixed): RISK cannot change the MAG7.ssi haircut under a pending deposit", function () {
  it("a pending 100 MAG7.ssi deposit gets 198 USSI (1%) after RISK raises the haircut to 10%; the next epoch pays 10%", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    const id = await f.vault.requestCount();
    await f.vault.connect(f.alice).requestDepositIndex(100n * WAD); // navPerShare 2.00, haircut 1% at request
    const epoch = await f.vault.currentEpoch();
    expect((await f.vault.epochInfo(epoch)).indexHaircutBps).to.equal(INDEX_HAIRCUT_BPS);
    await f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: 1_000n }); // before the report
    // A later deposit of the same epoch shares its price, haircut included.
    const bobId = await f.vault.requestCount();
    await f.vault.connect(f.bob).requestDepositIndex(50n * WAD);
    expect((await f.vault.epochInfo(epoch)).indexHaircutBps).to.equal(INDEX_HAIRCUT_BPS);
    await settleAt(f, WAD);
    // 100 * 2.00 * 0.99 = 198 USSI (it was 180 at the settlement-time haircut).
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.vault, f.alice, 198n * WAD);
    await expect(f.vault.connect(f.bob).claim(bobId)).to.changeTokenBalance(f.vault, f.bob, 99n * WAD);

    // The raise applies from the next epoch: 100 * 2.00 * 0.90 = 180 USSI.
    const next = await f.vault.requestCount();
    await f.vault.connect(f.carol).requestDepositIndex(100n * WAD);
    expect((await f.vault.epochInfo(await f.vault.currentEpoch())).indexHaircutBps).to.equal(1_000n);
    await f.vault.connect(f.risk).setLimits({ ...LIMITS, indexHaircutBps: 0n }); // nor can it lower it under the request
    await settleAt(f, WAD);
    await expect(f.vault.connect(f.carol).claim(next)).to.changeTokenBalance(f.vault, f.carol, 180n * WAD);
  });
});

import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  USDC,
  WAD,
  deployVaultWithHolders,
  makeReport,
  nextRound,
  requestRedeem,
  settleAt,
  signReport,
} from "../contracts/ussi/fixture";

/**
 * Review finding U-1 (medium): a real NAV move larger than maxNavChangeBps (default 50 bps) must be
 * reported "in steps, each a report" (README). Each step settles an epoch at a price the signers know
 * is not the NAV. Whoever requests before the first step (the move is public: a perp loss, a depeg, a
 * funding shock; or the step reports are seen signed before they land) settles at the stale step price,
 * for any size, and the holders who did nothing pay the difference: issue 9's "holders who did nothing
 * never lose to others' timing" does not hold. The instant path is the same per epoch, and each step
 * starts a new epoch, so its cap resets at every step as well.
 *
 * Sequence: Alice, Bob, Carol hold 1,000 USSI at 1.00; the book loses 1% (true NAV 0.99). The signers
 * cannot report 0.99 (NavChangeTooLarge); they report 0.995 first. Alice requested her whole stake
 * before that step: she is paid 995 USDC for a stake worth 990, and Bob and Carol's stakes end worth
 * 0.9875 per token instead of 0.99.
 *
 * This test PASSES on today's code: it demonstrates the transfer of value succeeding.
 */
describe("review U-1: stepped NAV reports settle an epoch at a price the signers know is stale", function () {
  it("a holder who requests before the first step exits above the true NAV at the stayers' expense", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    // The book: 2,000 USDC go to the venue, which then loses 30 USDC (1% of the 3,000 USDC NAV).
    await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_000n * USDC);
    await f.usdc.connect(f.venue).transfer(f.outsider.address, 30n * USDC); // the loss: true NAV 2,970
    const trueNav = 99n * WAD / 100n; // 0.99 per token
    // The honest report is refused: the move is above the per-report bound.
    const honest = await makeReport({ round: await nextRound(f), navPerToken: trueNav });
    await expect(f.vault.submitNavReport(honest, await signReport(f, honest))).to.be.revertedWithCustomError(
      f.vault,
      "NavChangeTooLarge",
    );

    // Alice requests her whole stake before the first step lands.
    const id = await requestRedeem(f, f.alice, 1_000n * WAD);
    await settleAt(f, (WAD * 995n) / 1000n); // step 1: 0.995
    await expect(f.vault.connect(f.alice).claim(id)).to.changeTokenBalance(f.usdc, f.alice, 995n * USDC);
    // Fair: 1,000 x 0.99 = 990 USDC. She took 5 USDC more.

    // What Bob and Carol own now: the vault's USDC that is theirs plus the venue's book, over their 2,000 USSI.
    const vaultUsdc = await f.usdc.balanceOf(f.vault);
    const reserved = await f.vault.reservedAssets();
    const theirs = vaultUsdc - reserved + (await f.usdc.balanceOf(f.venue.address)); // {USDC}
    const perToken = (theirs * 10n ** 12n * WAD) / (await f.vault.totalSupply()); // {1e18 USD}
    expect(perToken).to.be.lt(trueNav); // 0.9875 < 0.99: the stayers paid for Alice's timing
    expect(perToken).to.equal((9875n * WAD) / 10_000n);
  });

  it("the instant cap resets at every step, each at a price above the true NAV", async function () {
    const f = await loadFixture(deployVaultWithHolders);
    await f.vault.connect(f.strategy).withdrawToVenue(f.venue.address, 2_000n * USDC);
    await f.usdc.connect(f.venue).transfer(f.outsider.address, 30n * USDC); // true NAV 0.99
    // 29.85 USDC for 30 USSI (0.995 each) before the step, the cap (1% of NAV) used up.
    await expect(f.vault.connect(f.bob).redeem(30n * WAD, 0)).to.changeTokenBalance(f.usdc, f.bob, 29_850_000n);
    await expect(f.vault.connect(f.bob).redeem(10n * WAD, 0)).to.be.revertedWithCustomError(f.vault, "InstantCapReached");
    await settleAt(f, (WAD * 995n) / 1000n); // step 1: a new epoch, a new cap
    // 0.995 x 0.995 = 0.990025 > 0.99 again, for another 1% of NAV.
    await expect(f.vault.connect(f.bob).redeem(29n * WAD, 0)).to.changeTokenBalance(f.usdc, f.bob, 28_710_725n);
    expect(28_710_725n * 10n ** 12n).to.be.gt((29n * WAD * 99n) / 100n);
  });
});

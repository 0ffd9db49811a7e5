import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MockAggregator__factory } from "../../typechain-types";
import { WAD, expectCollateralised } from "../fixtures/contracts";
import { rebalanceFixture, type Fx } from "../contracts/rebalance/fixture";

/**
 * Review finding R-4 (low): issue 8 point 3 requires that "a donation cannot make a correctly formed mint
 * or redeem revert". In a window a record token not yet held (UNI entering in round 2) previews as 0 for
 * mint, so a minter's maxAmountsIn for it is 0 (no percentage slack can lift a 0). A donation of about
 * S / 1e18 base units (here ~1,000 wei of UNI, a fraction of a cent) made floor(bal * 1e18 / S) > 0, the
 * token then counted, the mint had to pay ceil(shares * bal / S) >= 1 of it, and reverted AmountInAboveMax.
 *
 * Fix (IndexVault `_amounts`, `_isWindowDust`): in a window, a mint owing more of a token than its bound pays
 * only the bound when the vault's WHOLE holding of that token is worth less than $10 (WINDOW_DUST_USD) at the
 * registry's price. Keyed by the holding, not by the amount owed: a rule on the amount owed would let repeated
 * small mint-redeem cycles take up to $10 each of a fully held token; this one leaves unpaid at most the
 * minter's pro-rata share of a holding worth < $10. Checked to fail with the fix reverted (first test).
 */
describe("review R-4: a donation of a token previewed as 0 cannot revert a correctly formed mint in a window", function () {
  const SHARES = 10n * WAD;

  /** `usd` {1e18 USD} of `symbol` in base units at the registry's price, rounded up. */
  async function worth(fx: Fx, symbol: string, usd: bigint): Promise<bigint> {
    const price = await fx.registry.price(fx.addr(symbol));
    const decimals = BigInt(fx.market.tokens[symbol]!.decimals);
    return (usd * 10n ** decimals + price - 1n) / price;
  }

  /** Round 2 open (UNI enters, not held yet) and maxAmountsIn = previewMint + 1% + 1 wei, UNI's entry 0. */
  async function openWithBounds(fx: Fx) {
    await fx.rebalancer.connect(fx.keeper).openRebalance();
    const [tokens, preview] = await fx.vault.previewMint(SHARES);
    const uniAt = tokens.findIndex((t) => t.toLowerCase() === fx.addr("UNI").toLowerCase());
    expect(uniAt).to.be.gte(0);
    expect(preview[uniAt]).to.equal(0n);
    return { uniAt, maxIn: preview.map((a) => a + a / 100n + 1n).map((a, i) => (i === uniAt ? 0n : a)) };
  }

  it("a mint with maxAmountsIn = previewMint + 1% still succeeds after a 1,000-wei donation (the PoC)", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const { maxIn } = await openWithBounds(fx);
    // The grief: a speck of UNI to the vault, front-running the mint.
    const supply = await fx.vault.effectiveSupply();
    await fx.token("UNI").mint(fx.vault, supply / WAD + 10n);
    const uniBefore = await fx.token("UNI").balanceOf(fx.alice);
    await fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, maxIn);
    expect(await fx.token("UNI").balanceOf(fx.alice)).to.equal(uniBefore); // paid its bound: nothing
    await expectCollateralised(fx.vault);
  });

  it("a holding just under $10 is not charged beyond the bound, and what the mint leaves unpaid is under $10 pro rata", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const { maxIn } = await openWithBounds(fx);
    const speck = (await worth(fx, "UNI", 10n * WAD)) - 2n; // worth just under $10 at the registry's price
    await fx.token("UNI").mint(fx.vault, speck);
    const sBefore = await fx.vault.effectiveSupply();
    await fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, maxIn);
    expect(await fx.token("UNI").balanceOf(fx.vault)).to.equal(speck); // nothing of UNI pulled
    // The minter's claim on the unpaid holding: SHARES / S' of it, worth at most $10 * SHARES / S'.
    const claim = (speck * SHARES) / (sBefore + SHARES);
    expect(claim * (await fx.registry.price(fx.addr("UNI")))).to.be.lt((10n * WAD * SHARES * 10n ** 18n) / (sBefore + SHARES));
    // A bound of 1 wei is paid exactly: the caller pays what it allowed, never more.
    const withOne = [...maxIn];
    const [tokens] = await fx.vault.previewMint(SHARES);
    const uniAt = tokens.findIndex((t) => t.toLowerCase() === fx.addr("UNI").toLowerCase());
    withOne[uniAt] = 1n;
    await fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, withOne);
    expect(await fx.token("UNI").balanceOf(fx.vault)).to.equal(speck + 1n);
    await expectCollateralised(fx.vault);
  });

  it("a donation worth $10 or more still has to be paid: a 0 bound reverts, a bound from a fresh preview pays it", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const { uniAt, maxIn } = await openWithBounds(fx);
    const gift = await worth(fx, "UNI", 11n * WAD);
    await fx.token("UNI").mint(fx.vault, gift);
    const owed = (await fx.vault.previewMint(SHARES))[1][uniAt]!;
    expect(owed).to.be.gt(0n);
    await expect(fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, maxIn))
      .to.be.revertedWithCustomError(fx.vault, "AmountInAboveMax")
      .withArgs(fx.addr("UNI"), (a: bigint) => a > 0n && a <= owed, 0n); // a block's fee accrual later: <= the preview
    const fresh = [...maxIn];
    fresh[uniAt] = owed + owed / 100n;
    await fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, fresh);
    const paid = (await fx.token("UNI").balanceOf(fx.vault)) - gift;
    expect(paid).to.be.gt(0n);
    expect(paid).to.be.lte(owed);
    await expectCollateralised(fx.vault);
  });

  it("no price, no exemption: with UNI's feed stale or at 0 the over-bound mint reverts as the registry says", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const { maxIn } = await openWithBounds(fx);
    await fx.token("UNI").mint(fx.vault, (await fx.vault.effectiveSupply()) / WAD + 10n);
    await time.increase(2 * 86_400); // every feed now older than its 1-day heartbeat
    await expect(fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, maxIn)).to.be.revertedWithCustomError(fx.registry, "StalePrice");
    await MockAggregator__factory.connect(fx.market.tokens.UNI!.feed, fx.admin).updateAnswer(0); // fresh, but 0
    await expect(fx.vault.connect(fx.alice).mint(SHARES, fx.alice.address, maxIn)).to.be.revertedWithCustomError(fx.registry, "NonPositivePrice");
  });

  it("an empty vault's first mint in a window seeds strict bounds: a seeded unit worth < $10 is still charged in full", async function () {
    const fx = await loadFixture(rebalanceFixture);
    await fx.gov.batch([[fx.vault, "setFeeRate", [0n]]]); // no fee shares accrue: the vault can be emptied
    await fx.rebalancer.connect(fx.keeper).openRebalance();
    // Round 3 puts UNI at 5%: its seeded unit, 5% of NAV0 = $5 per share, is below the $10 dust bound.
    await fx.vault.setTargets(3, ["cbBTC", "WETH", "UNI"].map(fx.addr), [(WAD * 45n) / 100n, WAD / 2n, WAD / 20n]);
    await fx.vault.claimFees();
    for (const who of [fx.alice, fx.admin]) {
      const held = await fx.vault.balanceOf(who);
      if (held === 0n) continue;
      const [t] = await fx.vault.previewRedeem(held);
      await fx.vault.connect(who).redeem(held, who.address, t.map(() => 0n));
    }
    expect(await fx.vault.effectiveSupply()).to.equal(0n);
    expect(await fx.vault.rebalancing()).to.equal(true);
    const [tokens, preview] = await fx.vault.previewMint(WAD); // the seed: units from round 3's targets
    const uniAt = tokens.findIndex((t) => t.toLowerCase() === fx.addr("UNI").toLowerCase());
    const short = [...preview];
    short[uniAt] = preview[uniAt]! - 1n;
    await expect(fx.vault.connect(fx.alice).mint(WAD, fx.alice.address, short))
      .to.be.revertedWithCustomError(fx.vault, "AmountInAboveMax")
      .withArgs(fx.addr("UNI"), preview[uniAt], preview[uniAt]! - 1n);
    await fx.vault.connect(fx.alice).mint(WAD, fx.alice.address, [...preview]);
    await expectCollateralised(fx.vault);
  });

  it("outside a window the rule is off: a bound one below the amount reverts even when the whole holding is worth < $10", async function () {
    const fx = await loadFixture(rebalanceFixture);
    // Shrink the vault to 0.01 share (~$1 of NAV): every holding is worth far less than $10.
    const keep = WAD / 100n;
    const all = await fx.vault.balanceOf(fx.alice);
    const [, out] = await fx.vault.previewRedeem(all - keep);
    await fx.vault.connect(fx.alice).redeem(all - keep, fx.alice.address, out.map(() => 0n));
    const [tokens, preview] = await fx.vault.previewMint(keep);
    const short = [...preview];
    short[0] = preview[0]! - 1n;
    await expect(fx.vault.connect(fx.alice).mint(keep, fx.alice.address, short))
      .to.be.revertedWithCustomError(fx.vault, "AmountInAboveMax")
      .withArgs(tokens[0], preview[0], preview[0]! - 1n);
    await fx.vault.connect(fx.alice).mint(keep, fx.alice.address, [...preview]); // the preview itself is paid
    await expectCollateralised(fx.vault);
  });
});

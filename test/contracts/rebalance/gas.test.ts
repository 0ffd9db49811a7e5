import { expect } from "chai";
import hre from "hardhat";
import { benchTrade } from "../../../tasks/bench";

/**
 * The issue-3 trade benchmark as a deterministic check (gas, not time). A trade pays the per-trade work
 * (policy checks, oracle reads, approve, balance deltas, the extra vault -> adapter hop) and no basket write:
 * the vault writes its basket once when the window opens and once when it closes (openGas, closeGas, reported
 * apart per rebalance). The trade is held to at most 102k over the direct swap (issue 3's 100k, plus review R-1's balance read).
 */
describe("bench:gas trade", function () {
  it("costs at most 100k gas over the direct SwapRouter swap, with the open/close basket writes reported apart", async function () {
    const t = await benchTrade(hre);
    expect(t.directSwapGas).to.be.greaterThan(80_000);
    expect(t.overhead).to.equal(t.gas - t.directSwapGas);
    // Issue 3's target was 100k; the per-share sell budget of review R-1 reads the seller's vault balance
    // once per trade (about 1.3k measured: 99,889 -> 101,3xx in bench:gas), so the bound is 102k.
    expect(t.overhead, `trade ${t.gas}, direct ${t.directSwapGas}`).to.be.at.most(102_000);
    expect(t.overhead).to.be.greaterThan(0);
    // Each of open and close writes one basket record (two CREATEs + code deposit): far above a trade's overhead.
    expect(t.openGas).to.be.greaterThan(t.overhead);
    expect(t.closeGas).to.be.greaterThan(t.overhead);
    expect(t.basketSize).to.be.greaterThan(0);
  });
});

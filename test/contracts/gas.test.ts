import { expect } from "chai";
import hre from "hardhat";
import { benchGas } from "../../tasks/bench";

/**
 * The issue-2 gas target as a deterministic check (gas, not time): at N = 10, in-kind mint and redeem
 * cost at most 1.25x the bound measured in the same run (N transfers + one _mint/_burn + one base).
 */
describe("bench:gas", () => {
  it("keeps mint and redeem within 1.25x the transfer bound at N = 10", async () => {
    const report = await benchGas(hre, [10]);
    for (const op of ["mint", "redeem"] as const) {
      const row = report[op][0]!;
      expect(row.n).to.equal(10);
      expect(row.gas / row.bound, `${op}: ${row.gas} gas vs bound ${row.bound}`).to.be.at.most(1.25);
    }
  });
});

import { expect } from "chai";
import { TRADE_OVERHEAD_MAX, compareGas, type GasReportLike } from "../../../src/bench/gas-snapshot";

const row = (n: number, gas: number, bound: number) => ({ n, gas, bound });
const snapshot: GasReportLike = {
  mint: [row(1, 100_000, 90_000), row(10, 500_000, 420_000)],
  redeem: [row(10, 400_000, 330_000)],
  trade: { gas: 200_000, directSwapGas: 120_000, overhead: 80_000, openGas: 450_000, closeGas: 300_000 },
};
const clone = (r: GasReportLike): GasReportLike => JSON.parse(JSON.stringify(r)) as GasReportLike;
const failed = (r: GasReportLike, tol?: number) => compareGas(r, snapshot, tol).filter((f) => !f.ok).map((f) => f.figure);

describe("gas snapshot compare", () => {
  it("passes the snapshot itself", () => {
    expect(failed(snapshot)).to.deep.equal([]);
  });

  it("fails when a figure regresses beyond the tolerance, and names it", () => {
    const worse = clone(snapshot);
    worse.mint[1]!.gas = Math.ceil(500_000 * 1.021); // +2.1% with a 2% tolerance
    expect(failed(worse)).to.deep.equal(["mint N=10"]);
    worse.mint[1]!.gas = 510_000; // +2.0%: within
    expect(failed(worse)).to.deep.equal([]);
  });

  it("fails a regression of the rebalance figures too", () => {
    const worse = clone(snapshot);
    worse.trade!.closeGas = 310_000;
    expect(failed(worse)).to.deep.equal(["close"]);
  });

  it("passes a figure that got cheaper", () => {
    const better = clone(snapshot);
    better.redeem[0]!.gas = 350_000;
    expect(failed(better)).to.deep.equal([]);
  });

  it("fails above the issue's ratio targets even when the snapshot agrees", () => {
    const heavy = clone(snapshot);
    heavy.mint[1] = row(10, 530_000, 420_000); // 1.262x the bound
    const findings = compareGas(heavy, heavy);
    expect(findings.filter((f) => !f.ok).map((f) => f.figure)).to.deep.equal(["mint N=10 / bound"]);
  });

  it("fails a trade more than TRADE_OVERHEAD_MAX gas over the direct swap, passes one at it", () => {
    const atMax = clone(snapshot);
    atMax.trade = { ...atMax.trade!, gas: 120_000 + TRADE_OVERHEAD_MAX, directSwapGas: 120_000, overhead: TRADE_OVERHEAD_MAX };
    expect(compareGas(atMax, atMax).filter((f) => !f.ok).map((f) => f.figure)).to.deep.equal([]);
    const heavy = clone(snapshot);
    heavy.trade = { ...heavy.trade!, gas: 120_001 + TRADE_OVERHEAD_MAX, directSwapGas: 120_000, overhead: TRADE_OVERHEAD_MAX + 1 };
    expect(compareGas(heavy, heavy).filter((f) => !f.ok).map((f) => f.figure)).to.deep.equal(["trade overhead"]);
  });

  it("fails a snapshot figure that was not measured", () => {
    const partial = clone(snapshot);
    delete partial.trade;
    expect(failed(partial)).to.deep.equal(["trade", "open", "close"]);
  });

  it("refuses a negative tolerance", () => {
    expect(() => compareGas(snapshot, snapshot, -1)).to.throw("tolerance");
  });
});

import { expect } from "chai";
import { InputError } from "../../../src/lib/errors";
import { SAMPLE_MARKET_CAPS, SAMPLE_WEIGHTS, WAD, parseWeights, renormalise } from "../../../src/ussi";

describe("ussi/weights", () => {
  describe("SAMPLE_WEIGHTS", () => {
    it("follows METHODOLOGY section 3 (floor 10%, 30% pro rata cap, residual to rank 1) from the sample caps", () => {
      // reference implementation written from the methodology text
      const f = 10n ** 17n;
      const R = WAD - 7n * f;
      const caps = Object.entries(SAMPLE_MARKET_CAPS).sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] < b[0] ? -1 : 1));
      const M = caps.reduce((a, [, m]) => a + m, 0n);
      const w: Record<string, bigint> = {};
      for (const [s, m] of caps) w[s] = f + (R * m) / M;
      w[caps[0]![0]] = w[caps[0]![0]]! + WAD - Object.values(w).reduce((a, b) => a + b, 0n);
      expect(SAMPLE_WEIGHTS).to.deep.equal(w);
      expect(Object.values(SAMPLE_WEIGHTS).reduce((a, b) => a + b, 0n)).to.equal(WAD);
    });
  });

  describe("#parseWeights", () => {
    it("returns fraction numbers as WAD summing to exactly 1e18", () => {
      expect(parseWeights({ btc: 0.6, ETH: 0.4 }, "w")).to.deep.equal({ BTC: 6n * 10n ** 17n, ETH: 4n * 10n ** 17n });
    });
    it("rescales thirds so the sum is exact, residual on the largest", () => {
      const w = parseWeights({ A: 1 / 3, B: 1 / 3, C: 1 / 3 }, "w");
      expect(Object.values(w).reduce((a, b) => a + b, 0n)).to.equal(WAD);
    });
    it("returns WAD strings unchanged", () => {
      expect(parseWeights({ BTC: "700000000000000000", ETH: "300000000000000000" }, "w")).to.deep.equal({
        BTC: 7n * 10n ** 17n,
        ETH: 3n * 10n ** 17n,
      });
    });
    const bad: Array<[string, unknown, RegExp]> = [
      ["an array", [0.5], /expected an object/],
      ["a sum far from 1", { BTC: 0.5, ETH: 0.4 }, /sum to 0\.9/],
      ["WAD strings not summing to 1e18", { BTC: "1" }, /expected exactly/],
      ["a zero weight", { BTC: 1, ETH: 0 }, /ETH must be positive/],
      ["a bad symbol", { "B-TC": 1 }, /not a symbol/],
      ["a boolean", { BTC: true }, /BTC must be a number/],
    ];
    for (const [name, value, re] of bad)
      it(`throws on ${name}`, () => expect(() => parseWeights(value, "w.json")).to.throw(InputError, re));
  });

  describe("#renormalise", () => {
    it("drops unavailable symbols and rescales the rest to 1e18", () => {
      // BTC 0.5, ETH 0.3, SOL 0.2 without SOL -> 0.625, 0.375
      const w = { BTC: 5n * 10n ** 17n, ETH: 3n * 10n ** 17n, SOL: 2n * 10n ** 17n };
      expect(renormalise(w, ["BTC", "ETH"])).to.deep.equal({ BTC: 625n * 10n ** 15n, ETH: 375n * 10n ** 15n });
    });
    it("puts the rounding residual on the largest weight", () => {
      const w = renormalise({ A: 1n, B: 1n, C: 2n }, ["A", "B", "C"]);
      expect(w).to.deep.equal({ A: 25n * 10n ** 16n, B: 25n * 10n ** 16n, C: 5n * 10n ** 17n });
      const thirds = renormalise({ A: 1n, B: 1n, C: 1n }, ["A", "B", "C"]);
      expect(thirds["A"]).to.equal(333_333_333_333_333_334n);
    });
    it("throws when nothing is available", () => expect(() => renormalise({ A: 1n }, ["B"])).to.throw(InputError));
  });
});

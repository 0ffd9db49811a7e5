import { expect } from "chai";
import fc from "fast-check";
import { computeWeights } from "../../../src/methodology/weights";
import { MAG7, WAD, defineIndex, validateDefinition } from "../../../src/methodology/products";
import { MethodologyError } from "../../../src/lib/errors";

const E = (x: number, e: number) => BigInt(x) * 10n ** BigInt(e);
const sum = (xs: bigint[]) => xs.reduce((s, x) => s + x, 0n);

describe("#computeWeights", () => {
  it("MAG7: 10% floor + 30% pro rata, exact (no residual)", () => {
    // m = [1000, 500, 200, 100, 100, 50, 50], M = 2000, f = 1e17, R = 1e18 - 7e17 = 3e17.
    // 3e17 * m / 2000 = 1.5e14 * m: 1.5e17, 7.5e16, 3e16, 1.5e16, 1.5e16, 7.5e15, 7.5e15 (all exact)
    // w = f + that: 2.5e17, 1.75e17, 1.3e17, 1.15e17, 1.15e17, 1.075e17, 1.075e17; sum = 1e18, residual 0.
    const w = computeWeights([1000n, 500n, 200n, 100n, 100n, 50n, 50n], MAG7);
    expect(w).to.deep.equal([E(25, 16), E(175, 15), E(13, 16), E(115, 15), E(115, 15), E(1075, 14), E(1075, 14)]);
  });

  it("MAG7: every weight is at least the 10% floor even for a tiny cap", () => {
    // m = [1e12, 1, 1, 1, 1, 1, 1]: 3e17 * 1 / (1e12 + 6) = 299999.9982 -> rounded down 299999 -> w = 1e17 + 299999.
    const w = computeWeights([E(1, 12), 1n, 1n, 1n, 1n, 1n, 1n], MAG7);
    for (const x of w) expect(x >= E(1, 17)).to.equal(true);
    expect(w[1]).to.equal(E(1, 17) + 299999n);
    expect(sum(w)).to.equal(WAD);
  });

  it("MAG7: gives the residual to rank 1", () => {
    // m = [3, 1, 1, 1, 1, 1, 1], M = 9, R = 3e17: 3e17*3/9 = 1e17 exactly; 3e17/9 = 33333333333333333.3 -> 33333333333333333.
    // sum before residual = 2e17 + 6 * 133333333333333333 = 999999999999999998 -> residual 2 to rank 1.
    const w = computeWeights([3n, 1n, 1n, 1n, 1n, 1n, 1n], MAG7);
    expect(w[0]).to.equal(200000000000000002n);
    expect(w.slice(1)).to.deep.equal(Array(6).fill(133333333333333333n));
    expect(sum(w)).to.equal(WAD);
  });

  it("no floor: equal caps split 1e18/3 rounded down, residual 1 to rank 1", () => {
    // floor(1e18 / 3) = 333333333333333333; 3x = 999999999999999999 -> residual 1.
    expect(computeWeights([7n, 7n, 7n], { name: "X", floorWad: 0n })).to.deep.equal([
      333333333333333334n,
      333333333333333333n,
      333333333333333333n,
    ]);
  });

  it("a single constituent gets 100%", () => {
    expect(computeWeights([5n], { name: "X", floorWad: 0n })).to.deep.equal([WAD]);
  });

  describe("with a cap", () => {
    it("caps one weight and redistributes its excess pro rata", () => {
      // m = [600, 300, 100], c = 0.5: pass 1 gives 0.6, 0.3, 0.1 -> 0.6 > 0.5 capped.
      // pass 2: budget 1 - 0.5 = 0.5 over M = 400: 0.375, 0.125. Nothing above c: [0.5, 0.375, 0.125].
      const w = computeWeights([600n, 300n, 100n], { name: "X", floorWad: 0n, capWad: E(5, 17) });
      expect(w).to.deep.equal([E(5, 17), E(375, 15), E(125, 15)]);
    });

    it("repeats until no uncapped weight exceeds the cap (a weight equal to c is not capped)", () => {
      // m = [500, 300, 150, 50], c = 0.3.
      // pass 1: 0.5, 0.3, 0.15, 0.05 -> cap rank 1 (0.3 is not above c).
      // pass 2: budget 0.7 over 500: 0.42, 0.21, 0.07 -> cap rank 2.
      // pass 3: budget 0.4 over 200: 0.3, 0.1 -> nothing above c. Final [0.3, 0.3, 0.3, 0.1].
      const w = computeWeights([500n, 300n, 150n, 50n], { name: "X", floorWad: 0n, capWad: E(3, 17) });
      expect(w).to.deep.equal([E(3, 17), E(3, 17), E(3, 17), E(1, 17)]);
    });

    it("applies the cap to floor + share (MAG7 with c = 20%)", () => {
      // room above the floor = c - f = 1e17. pass 1: 3e17 * 1000/2000 = 1.5e17 > 1e17 -> cap rank 1.
      // pass 2: budget 3e17 - 1e17 = 2e17 over M = 1000: 500 -> 1e17 (= room, not capped), 200 -> 4e16,
      // 100 -> 2e16, 50 -> 1e16. w = [2e17, 2e17, 1.4e17, 1.2e17, 1.2e17, 1.1e17, 1.1e17], sum 1e18.
      const def = defineIndex(MAG7, { capWad: E(2, 17) });
      const w = computeWeights([1000n, 500n, 200n, 100n, 100n, 50n, 50n], def);
      expect(w).to.deep.equal([E(2, 17), E(2, 17), E(14, 16), E(12, 16), E(12, 16), E(11, 16), E(11, 16)]);
    });

    it("a cap of exactly 1/N makes the weights equal", () => {
      // m = [4, 3, 2, 1], c = 0.25: ranks 1, 2, 3 are capped in turn; the last gets budget 0.25.
      const w = computeWeights([4n, 3n, 2n, 1n], { name: "X", floorWad: 0n, capWad: E(25, 16) });
      expect(w).to.deep.equal(Array(4).fill(E(25, 16)));
    });

    it("throws when the cap is infeasible (N*c < 1e18), naming the index", () => {
      // 3 * 0.3 = 0.9 < 1
      expect(() => computeWeights([3n, 2n, 1n], { name: "DEFI", floorWad: 0n, capWad: E(3, 17) })).to.throw(
        MethodologyError,
        /DEFI: cap c = 300000000000000000 is infeasible for N = 3/,
      );
    });

    it("throws when the cap is below the floor or above 100%", () => {
      expect(() => computeWeights([1n, 1n], { name: "X", floorWad: E(1, 17), capWad: E(5, 16) })).to.throw(MethodologyError, /cap/);
      expect(() => computeWeights([1n, 1n], { name: "X", floorWad: 0n, capWad: WAD + 1n })).to.throw(MethodologyError, /cap/);
      expect(() => validateDefinition({ ...MAG7, capWad: E(1, 17) })).to.throw(MethodologyError, /infeasible for N = 7/);
    });
  });

  it("throws on an empty list, a non-positive cap, or N*f > 1e18", () => {
    expect(() => computeWeights([], { name: "X", floorWad: 0n })).to.throw(MethodologyError, /no constituents/);
    expect(() => computeWeights([1n, 0n], { name: "X", floorWad: 0n })).to.throw(MethodologyError, /constituent 2 is 0/);
    expect(() => computeWeights(Array(11).fill(1n), { name: "X", floorWad: E(1, 17) })).to.throw(MethodologyError, /exceeds 1e18/);
  });

  describe("properties (fast-check)", () => {
    // n constituents with caps in [1, 1e15] USD (rank order is irrelevant to the arithmetic), a floor with
    // N*f <= 1e18, and either no cap or a feasible cap in [max(f, ceil(1e18/N)), 1e18].
    const arb = fc
      .record({
        caps: fc.array(fc.bigInt({ min: 1n, max: 10n ** 15n }), { minLength: 1, maxLength: 20 }),
        floorPermille: fc.integer({ min: 0, max: 1000 }),
        capPermille: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      })
      .map(({ caps, floorPermille, capPermille }) => {
        const n = BigInt(caps.length);
        const floorWad = (WAD / n) * BigInt(floorPermille) / 1000n; // N*f <= 1e18
        let capWad: bigint | undefined;
        if (capPermille !== undefined) {
          const lo = [floorWad, (WAD + n - 1n) / n].reduce((a, b) => (a > b ? a : b));
          capWad = lo + ((WAD - lo) * BigInt(capPermille)) / 1000n;
        }
        return { caps, floorWad, capWad };
      });

    it("sum to exactly 1e18, each >= f, each <= c except rank 1 (<= c + N - 1)", () => {
      fc.assert(
        fc.property(arb, ({ caps, floorWad, capWad }) => {
          const w = computeWeights(caps, capWad === undefined ? { name: "P", floorWad } : { name: "P", floorWad, capWad });
          expect(sum(w)).to.equal(WAD);
          const n = BigInt(caps.length);
          w.forEach((x, i) => {
            expect(x >= floorWad).to.equal(true);
            if (capWad !== undefined) expect(x <= capWad + (i === 0 ? n - 1n : 0n)).to.equal(true);
          });
        }),
        { numRuns: 500 },
      );
    });

    it("without a cap, every weight but rank 1's is f + floor(R*m_i/M) (reference formula), residual < N", () => {
      fc.assert(
        fc.property(arb, ({ caps, floorWad }) => {
          const w = computeWeights(caps, { name: "P", floorWad });
          const n = BigInt(caps.length);
          const r = WAD - n * floorWad;
          const m = sum(caps);
          const ref = caps.map((c) => floorWad + (r * c) / m);
          expect(w.slice(1)).to.deep.equal(ref.slice(1));
          const residual = w[0]! - ref[0]!;
          expect(residual >= 0n && residual < n).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });
  });
});

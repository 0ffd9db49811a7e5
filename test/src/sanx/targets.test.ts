import { expect } from "chai";
import fc from "fast-check";
import { MethodologyError } from "../../../src/lib/errors";
import {
  latestMarketCaps,
  marketCapTargets,
  nextTargets,
  rankByMarketCap,
  redistributeRemoved,
  valueWeights,
  type Weighted,
} from "../../../src/sanx/targets";

const E18 = 10n ** 18n;
/** A decimal fraction of 1e18, e.g. pct("0.575"). */
const w = (fraction: string): bigint => {
  const [i, f = ""] = fraction.split(".");
  return BigInt(i!) * E18 + BigInt(f.padEnd(18, "0"));
};
const caps = (o: Record<string, number | bigint>) => new Map(Object.entries(o).map(([k, v]) => [k, BigInt(v)]));
const ws = (o: [string, string | bigint][]): Weighted[] => o.map(([asset, x]) => ({ asset, weight: typeof x === "string" ? w(x) : x }));
const sum = (x: readonly Weighted[]) => x.reduce((s, y) => s + y.weight, 0n);

describe("sanx/targets", function () {
  describe("#rankByMarketCap", function () {
    it("returns market cap descending, ties by id ascending", function () {
      expect(rankByMarketCap(["B", "C", "A", "D"], caps({ A: 5, B: 5, C: 9, D: 1 }))).to.deep.equal(["C", "A", "B", "D"]);
    });
    it("throws on a missing or non-positive cap, or a duplicate", function () {
      expect(() => rankByMarketCap(["A", "B"], caps({ A: 1 }))).to.throw(MethodologyError, "no market cap for B");
      expect(() => rankByMarketCap(["A"], caps({ A: 0 }))).to.throw(MethodologyError, "must be > 0");
      expect(() => rankByMarketCap(["A", "A"], caps({ A: 1 }))).to.throw(MethodologyError, "twice");
    });
  });

  describe("#marketCapTargets (ADD)", function () {
    // Hand-worked: w_i = floor(1e18 * m_i / M), residual to rank 1.
    const table: { name: string; assets: string[]; caps: Record<string, number>; want: [string, string | bigint][] }[] = [
      { name: "3:1 splits 75/25 exactly", assets: ["B", "A"], caps: { A: 3, B: 1 }, want: [["A", "0.75"], ["B", "0.25"]] },
      { name: "5:3:2 in rank order", assets: ["A", "B", "C"], caps: { A: 3, B: 2, C: 5 }, want: [["C", "0.5"], ["A", "0.3"], ["B", "0.2"]] },
      {
        name: "1:1:1 gives the 1 wei residual to rank 1 (tie: lowest id)",
        assets: ["C", "B", "A"],
        caps: { A: 7, B: 7, C: 7 },
        want: [["A", 333333333333333334n], ["B", 333333333333333333n], ["C", 333333333333333333n]],
      },
      { name: "a single asset takes everything", assets: ["A"], caps: { A: 42 }, want: [["A", "1"]] },
    ];
    for (const t of table) {
      it(`returns ${t.name}`, function () {
        const got = marketCapTargets(t.assets, caps(t.caps));
        expect(got).to.deep.equal(ws(t.want));
        expect(sum(got)).to.equal(E18);
      });
    }
    it("throws on no asset", function () {
      expect(() => marketCapTargets([], caps({}))).to.throw(MethodologyError, "no asset");
    });
  });

  describe("#redistributeRemoved (REMOVE)", function () {
    it("moves only the removed weight, in proportion to the remaining market caps", function () {
      // A 50% removed; B:C caps 1:3 -> B + 12.5% = 42.5%, C + 37.5% = 57.5% (not re-weighted 25/75).
      const got = redistributeRemoved(ws([["A", "0.5"], ["B", "0.3"], ["C", "0.2"]]), new Set(["A"]), caps({ A: 100, B: 1, C: 3 }));
      expect(got).to.deep.equal(ws([["C", "0.575"], ["B", "0.425"]]));
    });

    it("rounds each share down and gives the residual to the remaining rank 1", function () {
      // moved = 333333333333333334; B: floor(moved * 1/3) = 111111111111111111 -> 444444444444444444;
      // C: floor(moved * 2/3) = 222222222222222222 -> 555555555555555555; sum 1e18 - 1 -> C + 1.
      const current = ws([["A", 333333333333333334n], ["B", 333333333333333333n], ["C", 333333333333333333n]]);
      const got = redistributeRemoved(current, new Set(["A"]), caps({ A: 1, B: 1, C: 2 }));
      expect(got).to.deep.equal(ws([["C", 555555555555555556n], ["B", 444444444444444444n]]));
    });

    it("gives the same result removing two at once as one after the other", function () {
      // Together: moved 70% over C:D = 1:1 -> C 20+35 = 55%, D 10+35 = 45%.
      // One by one: A (40%) over B:C:D = 2:1:1 -> B 50%, C 30%, D 20%; then B (50%) over C:D -> C 55%, D 45%.
      const current = ws([["A", "0.4"], ["B", "0.3"], ["C", "0.2"], ["D", "0.1"]]);
      const c = caps({ A: 9, B: 2, C: 1, D: 1 });
      const want = ws([["C", "0.55"], ["D", "0.45"]]);
      expect(redistributeRemoved(current, new Set(["A", "B"]), c)).to.deep.equal(want);
      const step1 = redistributeRemoved(current, new Set(["A"]), c);
      expect(step1).to.deep.equal(ws([["B", "0.5"], ["C", "0.3"], ["D", "0.2"]]));
      expect(redistributeRemoved(step1, new Set(["B"]), c)).to.deep.equal(want);
    });

    it("keeps the sum at 1e18, never lowers a remaining weight, and shares by market cap within 1 wei (property)", function () {
      const arb = fc
        .array(fc.record({ w: fc.bigInt({ min: 1n, max: E18 }), m: fc.bigInt({ min: 1n, max: 10n ** 15n }) }), { minLength: 2, maxLength: 12 })
        .chain((xs) => fc.tuple(fc.constant(xs), fc.subarray(xs.map((_, i) => i), { minLength: 1, maxLength: xs.length - 1 })));
      fc.assert(
        fc.property(arb, ([xs, gone]) => {
          // Scale the raw weights to sum exactly 1e18 (residual on the first).
          const total = xs.reduce((a, x) => a + x.w, 0n);
          const weights = xs.map((x) => (x.w * E18) / total);
          weights[0] = weights[0]! + E18 - weights.reduce((a, b) => a + b, 0n);
          fc.pre(weights.every((x) => x >= 0n));
          const ids = xs.map((_, i) => `A${String(i).padStart(2, "0")}`);
          const current = ids.map((asset, i) => ({ asset, weight: weights[i]! }));
          const c = new Map(ids.map((a, i) => [a, xs[i]!.m]));
          const removed = new Set(gone.map((i) => ids[i]!));
          const got = redistributeRemoved(current, removed, c);
          expect(sum(got)).to.equal(E18);
          const moved = current.filter((x) => removed.has(x.asset)).reduce((a, x) => a + x.weight, 0n);
          const M = got.reduce((a, x) => a + c.get(x.asset)!, 0n);
          const top = rankByMarketCap(got.map((x) => x.asset), c)[0];
          for (const x of got) {
            const before = weights[ids.indexOf(x.asset)]!;
            const share = (moved * c.get(x.asset)!) / M; // the exact share, rounded down
            const extra = x.weight - before - share; // 0, except rank 1 which takes the residual (< N)
            expect(extra >= 0n && (x.asset === top ? extra < BigInt(got.length) : extra === 0n)).to.equal(true);
          }
        }),
      );
    });

    it("throws when the weights do not sum to 1e18, the asset is not held, or nothing remains", function () {
      const c = caps({ A: 1, B: 1 });
      expect(() => redistributeRemoved(ws([["A", "0.5"], ["B", "0.4"]]), new Set(["A"]), c)).to.throw(MethodologyError, "not 1e18");
      expect(() => redistributeRemoved(ws([["A", "0.5"], ["B", "0.5"]]), new Set(["X"]), c)).to.throw(MethodologyError, "not held");
      expect(() => redistributeRemoved(ws([["A", "0.5"], ["B", "0.5"]]), new Set(["A", "B"]), c)).to.throw(MethodologyError, "reserve");
      expect(() => redistributeRemoved(ws([["A", "0.5"], ["B", "0.5"]]), new Set(["A"]), caps({ A: 1 }))).to.throw(MethodologyError, "no market cap for B");
    });
  });

  describe("#nextTargets", function () {
    const R = "USDC";
    const table: {
      name: string;
      current: [string, string][];
      members: string[];
      caps: Record<string, number>;
      kind: string;
      added: string[];
      removed: string[];
      want: [string, string][];
    }[] = [
      { name: "the reserve alone when the last member left", current: [["A", "1"]], members: [], caps: {}, kind: "RESERVE", added: [], removed: ["A"], want: [["USDC", "1"]] },
      { name: "the reserve before any target", current: [], members: [], caps: {}, kind: "RESERVE", added: [], removed: [], want: [["USDC", "1"]] },
      { name: "the first ADD out of the reserve", current: [["USDC", "1"]], members: ["A"], caps: { A: 5 }, kind: "MARKET_CAP", added: ["A"], removed: [], want: [["A", "1"]] },
      {
        name: "an ADD re-weighting everything to market caps",
        current: [["A", "0.6"], ["B", "0.4"]],
        members: ["A", "B", "C"],
        caps: { A: 2, B: 1, C: 1 },
        kind: "MARKET_CAP",
        added: ["C"],
        removed: [],
        want: [["A", "0.5"], ["B", "0.25"], ["C", "0.25"]],
      },
      {
        name: "a REMOVE sharing only the removed weight",
        current: [["A", "0.5"], ["B", "0.3"], ["C", "0.2"]],
        members: ["C", "B"],
        caps: { B: 1, C: 3 },
        kind: "REDISTRIBUTE",
        added: [],
        removed: ["A"],
        want: [["C", "0.575"], ["B", "0.425"]],
      },
      {
        name: "market caps when an ADD and a REMOVE land together",
        current: [["A", "0.5"], ["B", "0.5"]],
        members: ["B", "C"],
        caps: { B: 1, C: 3 },
        kind: "MARKET_CAP",
        added: ["C"],
        removed: ["A"],
        want: [["C", "0.75"], ["B", "0.25"]],
      },
      { name: "the current weights when membership did not change", current: [["A", "0.7"], ["B", "0.3"]], members: ["B", "A"], caps: {}, kind: "UNCHANGED", added: [], removed: [], want: [["A", "0.7"], ["B", "0.3"]] },
    ];
    for (const t of table) {
      it(`returns ${t.name}`, function () {
        const got = nextTargets({ current: ws(t.current), members: t.members, caps: caps(t.caps), reserve: R });
        expect(got).to.deep.equal({ kind: t.kind, added: t.added, removed: t.removed, targets: ws(t.want) });
      });
    }
    it("throws when the reserve asset is a member", function () {
      expect(() => nextTargets({ current: [], members: ["USDC"], caps: caps({ USDC: 1 }), reserve: R })).to.throw(MethodologyError, "reserve");
    });
  });

  describe("#valueWeights", function () {
    it("returns value weights rounded down with the residual on the largest value", function () {
      // Values {USD}: A 2 x 3000 = 6000, B 1 x 60000 = 60000, C 4000 x 1 = 4000; total 70000.
      // A floor(6/70 e18) = 85714285714285714, B floor(60/70 e18) = 857142857142857142,
      // C floor(4/70 e18) = 57142857142857142; sum 1e18 - 2 -> B + 2.
      const got = valueWeights([
        { asset: "A", units: 2n * E18, priceWad: 3000n * E18, decimals: 18 },
        { asset: "B", units: 10n ** 8n, priceWad: 60000n * E18, decimals: 8 },
        { asset: "C", units: 4000n * 10n ** 6n, priceWad: E18, decimals: 6 },
      ]);
      expect(got).to.deep.equal(ws([["A", 85714285714285714n], ["B", 857142857142857144n], ["C", 57142857142857142n]]));
    });
    it("throws when the basket is worth nothing", function () {
      expect(() => valueWeights([{ asset: "A", units: 0n, priceWad: E18, decimals: 18 }])).to.throw(MethodologyError, "worth nothing");
    });
  });

  describe("#latestMarketCaps", function () {
    it("takes each asset's latest row on or before the day, rounded to whole USD (halves away from zero)", function () {
      const a = { symbol: "uni", mvrv: [], market: new Map([[10, { price: 1, marketCap: 100.5 }], [12, { price: 1, marketCap: 200.4 }]]) };
      const b = { symbol: "AAVE", mvrv: [], market: new Map([[13, { price: 1, marketCap: 7 }]]) };
      expect(latestMarketCaps([a, b])).to.deep.equal(new Map([["UNI", 200n], ["AAVE", 7n]]));
      expect(latestMarketCaps([a, b], 11)).to.deep.equal(new Map([["UNI", 101n]]));
    });
  });
});

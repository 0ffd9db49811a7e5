import { expect } from "chai";
import fc from "fast-check";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import {
  computeSignals,
  DEFAULT_PARAMS,
  runEngine,
  validateParams,
  ZONE_NAMES,
  type MvrvPoint,
  type SignalParams,
} from "../../../src/mvrv/engine";
import { referenceExtremum, referenceSignals } from "../../../src/mvrv/reference";
import { readMvrvCsv } from "../../../src/mvrv/csv";
import { InputError } from "../../../src/lib/errors";
import { formatDay, parseDay } from "../../../src/lib/csv";
import { useEnv } from "../../../src/env";

/** Small parameters so hand-worked cases stay short: W = 4, H = 1, k = 1, m = 1. */
const SMALL: SignalParams = { window: 4, halfNeighborhood: 1, kUp: 1, kDown: 1, minExtrema: 1 };

const zonesOf = (x: number[], p: SignalParams) => Array.from(runEngine(Float64Array.from(x), p).zones, (z) => ZONE_NAMES[z]);
const nanToNull = (v: number) => (Number.isNaN(v) ? null : v);

/** Asserts the engine equals the quadratic reference on every day (zones, thresholds, events). */
function expectMatchesReference(x: number[] | Float64Array, p: SignalParams): void {
  const out = runEngine(Float64Array.from(x), p);
  const ref = referenceSignals(x, p);
  for (let t = 0; t < x.length; t++) {
    const r = ref.days[t]!;
    const got = { zone: ZONE_NAMES[out.zones[t]!], upper: nanToNull(out.upper[t]!), lower: nanToNull(out.lower[t]!) };
    if (got.zone !== r.zone || got.upper !== r.upper || got.lower !== r.lower) {
      expect(got, `day ${t} of ${x.length}`).to.deep.equal(r);
    }
  }
  expect(out.events).to.deep.equal(ref.events);
}

function series(values: number[], start = "2021-01-01"): MvrvPoint[] {
  const d0 = parseDay(start, "test");
  return values.map((mvrv, i) => ({ date: formatDay(d0 + i), mvrv }));
}

describe("mvrv engine", function () {
  describe("#validateParams", function () {
    const bad: [string, Partial<SignalParams>, RegExp][] = [
      ["window below 2", { window: 1 }, /window/],
      ["fractional window", { window: 10.5 }, /window/],
      ["negative half-neighbourhood", { halfNeighborhood: -1 }, /halfNeighborhood/],
      ["half-neighbourhood above window", { window: 10, halfNeighborhood: 11 }, /must not exceed window/],
      ["negative kUp", { kUp: -0.1 }, /kUp/],
      ["infinite kDown", { kDown: Infinity }, /kDown/],
      ["zero minExtrema", { minExtrema: 0 }, /minExtrema/],
    ];
    for (const [name, patch, re] of bad) {
      it(`throws an InputError when ${name}`, function () {
        expect(() => validateParams({ ...DEFAULT_PARAMS, ...patch })).to.throw(InputError, re);
      });
    }
    it("accepts the methodology defaults and H = 0", function () {
      expect(() => validateParams(DEFAULT_PARAMS)).not.to.throw();
      expect(() => validateParams({ ...SMALL, halfNeighborhood: 0 })).not.to.throw();
    });
  });

  describe("#computeSignals input errors", function () {
    const ok = series([1, 1.1, 1.2]);
    const cases: [string, MvrvPoint[], RegExp][] = [
      ["a gap", [ok[0]!, ok[2]!], /gap before 2021-01-03: 2021-01-02\.\.2021-01-02 missing/],
      ["a duplicate date", [ok[0]!, ok[0]!], /duplicate date 2021-01-01/],
      ["an unordered date", [ok[1]!, ok[0]!], /date 2021-01-01 comes after 2021-01-02/],
      ["a zero value", [ok[0]!, { date: "2021-01-02", mvrv: 0 }], /mvrv on 2021-01-02 is 0, not positive/],
      ["a negative value", [{ date: "2021-01-01", mvrv: -1 }], /mvrv on 2021-01-01 is -1, not positive/],
      ["a NaN value", [ok[0]!, { date: "2021-01-02", mvrv: NaN }], /mvrv on 2021-01-02 is NaN/],
      ["an infinite value", [{ date: "2021-01-01", mvrv: Infinity }], /mvrv on 2021-01-01 is Infinity/],
      ["a malformed date", [{ date: "2021-13-01", mvrv: 1 }], /2021-13-01/],
    ];
    for (const [name, s, re] of cases) {
      it(`throws an InputError naming the date on ${name}`, function () {
        expect(() => computeSignals(s, SMALL)).to.throw(InputError, re);
      });
    }
    it("returns an empty report for an empty series", function () {
      expect(computeSignals([], SMALL)).to.deep.equal({ days: [], events: [], spikes: [], dips: [] });
    });
  });

  describe("#runEngine hand-worked cases (W=4, H=1, k=1, m=1)", function () {
    it("finds no extremum on a flat series (sigma 0, and a spike must be strictly above)", function () {
      const x = new Array(50).fill(1.25);
      const out = runEngine(Float64Array.from(x), SMALL);
      expect(out.spikes).to.deep.equal([]);
      expect(out.dips).to.deep.equal([]);
      expect(zonesOf(x, SMALL).every((z) => z === "NEUTRAL")).to.equal(true);
      expectMatchesReference(x, SMALL);
    });

    it("returns all NEUTRAL without error when the history is shorter than W + H + 1 days", function () {
      // With the defaults the first candidate (c = 60) is read on t = 75: 75 days give nothing.
      const x = Array.from({ length: 75 }, (_, i) => (i === 60 ? 50 : 1 + (i % 3) / 10));
      const out = runEngine(Float64Array.from(x), DEFAULT_PARAMS);
      expect(out.spikes).to.deep.equal([]);
      expect(Array.from(out.zones).every((z) => z === 0)).to.equal(true);
      // ...and one more day confirms the spike at c = 60 (x = 50 far above its window).
      const longer = runEngine(Float64Array.from([...x, 1]), DEFAULT_PARAMS);
      expect(longer.spikes).to.deep.equal([60]);
      expect(longer.upper[75]).to.equal(50);
      expect(Number.isNaN(longer.upper[74]!)).to.equal(true);
    });

    it("confirms the first extremum H days later and fires DANGER above it", function () {
      // c=4: window 1,2,1,2 -> mu 1.5, sd sqrt(1/3) = 0.577; 10 > 2.08 and first max of 2,10,1.
      // Confirmed on t = 5 -> U = 10. t = 6: x = 11 > 10 -> DANGER (event).
      const x = [1, 2, 1, 2, 10, 1, 11, 1, 1, 1];
      const out = runEngine(Float64Array.from(x), SMALL);
      expect(out.spikes[0]).to.equal(4);
      expect(Number.isNaN(out.upper[4]!)).to.equal(true);
      expect(out.upper[5]).to.equal(10);
      expect(ZONE_NAMES[out.zones[6]!]).to.equal("DANGER");
      expect(out.events[0]).to.equal(6);
      expectMatchesReference(x, SMALL);
    });

    it("fires again on re-entering a zone (signals repeat)", function () {
      // As above, then c=6 (x=11) is a spike confirmed on t=7 (window 1,2,10,1: mu 3.5, sd 4.36) ->
      // U = median(10, 11) = 10.5; t=7 x=1 NEUTRAL; t=8 x=12 > 10.5 DANGER again.
      const x = [1, 2, 1, 2, 10, 1, 11, 1, 12, 1, 1];
      const out = runEngine(Float64Array.from(x), SMALL);
      expect(out.upper[7]).to.equal(10.5);
      expect(out.events.slice(0, 2)).to.deep.equal([6, 8]);
      expect(zonesOf(x, SMALL).slice(6, 9)).to.deep.equal(["DANGER", "NEUTRAL", "DANGER"]);
      expectMatchesReference(x, SMALL);
    });

    const ties: [string, number[], number[]][] = [
      // x[4] = 5 ties with the later x[5] = 5: first maximum (>= later) -> spike at 4 only.
      ["a tie with a later day keeps the earlier day", [1, 1, 1, 1, 5, 5, 1, 1, 1], [4]],
      // x[5] = 5 ties with the earlier x[4]: not strictly greater than earlier -> no spike at 5.
      ["a tie with an earlier day is not a maximum", [1, 1, 1, 1, 1, 5, 5, 1, 1], [5]],
      // a larger later day in the neighbourhood: no spike at 4; 6 at 5 is the maximum.
      ["a larger later day wins", [1, 1, 1, 1, 5, 6, 1, 1, 1], [5]],
    ];
    for (const [name, x, spikes] of ties) {
      it(`applies the first-maximum rule: ${name}`, function () {
        expect(runEngine(Float64Array.from(x), SMALL).spikes).to.deep.equal(spikes);
        expectMatchesReference(x, SMALL);
        // The mirror image (dips): the same indices under x -> 10 - x.
        const mirrored = x.map((v) => 10 - v);
        expect(runEngine(Float64Array.from(mirrored), SMALL).dips).to.deep.equal(spikes);
        expectMatchesReference(mirrored, SMALL);
      });
    }

    it("uses the mean of the two middle values for an even count and the middle for an odd count", function () {
      // Spikes: c=4 (5, flat window), c=10 (9, flat window) -> U = 7 from t = 11;
      // c=12 (8; window 1,1,9,1: mu 3, sd 4; 8 > 7) -> U = median(5, 8, 9) = 8 from t = 13.
      const x = [1, 1, 1, 1, 5, 1, 1, 1, 1, 1, 9, 1, 8, 1, 1];
      const out = runEngine(Float64Array.from(x), SMALL);
      expect(out.spikes).to.deep.equal([4, 10, 12]);
      expect([out.upper[5], out.upper[11], out.upper[13]]).to.deep.equal([5, 7, 8]);
      expect(ZONE_NAMES[out.zones[12]!]).to.equal("DANGER"); // 8 > 7
      expectMatchesReference(x, SMALL);
    });

    it("waits for minExtrema extrema before defining a threshold", function () {
      const x = [1, 1, 1, 1, 5, 1, 1, 1, 1, 1, 9, 1, 8, 1, 1];
      const out = runEngine(Float64Array.from(x), { ...SMALL, minExtrema: 2 });
      expect(Number.isNaN(out.upper[10]!)).to.equal(true);
      expect(out.upper[11]).to.equal(7);
      expectMatchesReference(x, { ...SMALL, minExtrema: 2 });
    });

    it("is NEUTRAL when x is above U and below L at once", function () {
      // kUp = 100: only the spike from a flat window (sd 0) counts: c=4 (x=2) -> U = 2 from t=5.
      // c=11 (x=5): window 10,10,10,10 (sd 0), first min of 10,5,10 -> L = 5 from t=12.
      // t=14: x = 3 > U = 2 and < L = 5 -> NEUTRAL; t=13 (x=10 > 2, not < 5) -> DANGER.
      const p = { ...SMALL, kUp: 100 };
      const x = [1, 1, 1, 1, 2, 1, 10, 10, 10, 10, 10, 5, 10, 10, 3, 10, 10];
      const out = runEngine(Float64Array.from(x), p);
      expect([out.upper[14], out.lower[14]]).to.deep.equal([2, 5]);
      expect(ZONE_NAMES[out.zones[13]!]).to.equal("DANGER");
      expect(ZONE_NAMES[out.zones[14]!]).to.equal("NEUTRAL");
      expectMatchesReference(x, p);
    });
  });

  describe("#computeSignals report", function () {
    it("dates days, events and extrema (confirmedOn = date + H) with null for undefined thresholds", function () {
      const x = [1, 2, 1, 2, 10, 1, 11, 1, 1, 1];
      const r = computeSignals(series(x), SMALL);
      expect(r.days[0]).to.deep.equal({ date: "2021-01-01", mvrv: 1, zone: "NEUTRAL", upper: null, lower: null });
      expect(r.spikes[0]).to.deep.equal({ date: "2021-01-05", mvrv: 10, confirmedOn: "2021-01-06" });
      expect(r.events[0]).to.include({ date: "2021-01-07", zone: "DANGER", mvrv: 11, upper: 10 });
    });
  });

  describe("numerical stability", function () {
    it("keeps the rolling mean and sd of 2 million values near 1 equal to a fresh two-pass computation", function () {
      this.timeout(20000);
      const n = 2_000_000;
      const W = 60;
      const x = new Float64Array(n);
      let s = 12345;
      for (let i = 0; i < n; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        x[i] = 1 + 1e-3 * Math.sin(i / 500) + 1e-6 * (s / 2147483648);
      }
      let worstMean = 0;
      let worstSd = 0;
      let checked = 0;
      runEngine(x, { ...DEFAULT_PARAMS, window: W }, {
        trackExtrema: false,
        onCandidate: (c, mean, sigma) => {
          if (c % 997 !== 0 && c < n - 100) return;
          let sum = 0;
          for (let i = c - W; i < c; i++) sum += x[i]!;
          const mu = sum / W;
          let ss = 0;
          for (let i = c - W; i < c; i++) ss += (x[i]! - mu) ** 2;
          const sd = Math.sqrt(ss / (W - 1));
          worstMean = Math.max(worstMean, Math.abs(mean - mu));
          worstSd = Math.max(worstSd, Math.abs(sigma - sd) / sd);
          checked++;
        },
      });
      expect(checked).to.be.greaterThan(1900);
      expect(worstMean).to.be.lessThan(1e-12);
      expect(worstSd).to.be.lessThan(1e-6);
    });
  });

  describe("long series", function () {
    it("finds exactly the extrema of the definition across several window rebuilds (20 000 days)", function () {
      this.timeout(20000);
      const n = 20_000; // > 4 * RESYNC_DAYS
      const x: number[] = [];
      let s = 7;
      for (let i = 0; i < n; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        x.push(1 + 0.3 * Math.sin(i / 90) + 0.05 * (s / 2147483648) + (i % 997 === 0 ? 0.5 : 0));
      }
      const out = runEngine(Float64Array.from(x), DEFAULT_PARAMS);
      const spikes: number[] = [];
      const dips: number[] = [];
      for (let c = DEFAULT_PARAMS.window; c + DEFAULT_PARAMS.halfNeighborhood < n; c++) {
        const e = referenceExtremum(x, c, DEFAULT_PARAMS);
        if (e === 1) spikes.push(c);
        if (e === -1) dips.push(c);
      }
      expect(spikes.length).to.be.greaterThan(10);
      expect(dips.length).to.be.greaterThan(10);
      expect(out.spikes).to.deep.equal(spikes);
      expect(out.dips).to.deep.equal(dips);
    });
  });

  describe("properties (fast-check)", function () {
    this.timeout(120000);
    const paramsArb = fc
      .record({
        window: fc.integer({ min: 2, max: 16 }),
        h: fc.integer({ min: 0, max: 6 }),
        kUp: fc.constantFrom(0, 0.5, 1, 1.5, 1.8, 3),
        kDown: fc.constantFrom(0, 0.5, 1, 1.5, 2.5),
        minExtrema: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ window, h, kUp, kDown, minExtrema }) => ({ window, halfNeighborhood: Math.min(h, window), kUp, kDown, minExtrema }));
    // Continuous values, and values from a small set (many ties in every neighbourhood).
    const valuesArb = fc.oneof(
      fc.array(fc.double({ min: 0.05, max: 20, noNaN: true }), { maxLength: 160 }),
      fc.array(fc.constantFrom(0.5, 1, 1.5, 2, 4), { maxLength: 160 }),
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 160 }),
    );

    it("equals the quadratic reference on random series (including series full of ties)", function () {
      fc.assert(fc.property(valuesArb, paramsArb, (x, p) => expectMatchesReference(x, p)), { numRuns: 400 });
    });

    it("is prefix invariant: the zones of x[0..T'-1] are the first T' zones of x[0..T-1]", function () {
      fc.assert(
        fc.property(valuesArb, paramsArb, fc.nat(), (x, p, cut) => {
          const tp = x.length === 0 ? 0 : cut % (x.length + 1);
          const full = runEngine(Float64Array.from(x), p);
          const pre = runEngine(Float64Array.from(x.slice(0, tp)), p);
          expect(Array.from(pre.zones)).to.deep.equal(Array.from(full.zones.slice(0, tp)));
          expect(Array.from(pre.upper)).to.deep.equal(Array.from(full.upper.slice(0, tp)));
          expect(Array.from(pre.lower)).to.deep.equal(Array.from(full.lower.slice(0, tp)));
        }),
        { numRuns: 300 },
      );
    });

    it("gives the same zones under x -> a*x + b, a > 0 (a a power of two, b and x small integers: exact)", function () {
      // Exact arithmetic keeps the comparison free of rounding: a = 2^k scales every float exactly,
      // and integer data with an integer offset keeps sums exact. Means (sum / W) still round, but
      // a decision whose two sides differ only by that rounding would need x[c] = mu + k*sigma exactly.
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 160 }),
          paramsArb,
          fc.integer({ min: -4, max: 4 }),
          fc.integer({ min: 0, max: 20 }),
          (x, p, k, b) => {
            const a = 2 ** k;
            const y = x.map((v) => a * v + b);
            expect(zonesOf(y, p)).to.deep.equal(zonesOf(x, p));
          },
        ),
        { numRuns: 400 },
      );
    });
  });

  describe("real data (../shared/data/mvrv)", function () {
    const dir = path.join(useEnv("SSI_DATA_DIR") ?? path.resolve(__dirname, "../../../../shared/data"), "mvrv");
    it("matches the quadratic reference on every real MVRV file", function () {
      this.timeout(300000);
      if (!existsSync(dir)) {
        console.log(`      (skipped: ${dir} is absent; set SSI_DATA_DIR to the shared data folder)`);
        this.skip();
      }
      const files = readdirSync(dir).filter((f) => f.endsWith(".csv"));
      expect(files.length).to.be.greaterThan(0);
      for (const f of files) {
        const points = readMvrvCsv(path.join(dir, f));
        const report = computeSignals(points, DEFAULT_PARAMS, f);
        const x = points.map((p) => p.mvrv);
        const ref = referenceSignals(x, DEFAULT_PARAMS);
        const zones = report.days.map((d) => d.zone);
        expect(zones, f).to.deep.equal(ref.days.map((d) => d.zone));
        expect(report.days.map((d) => [d.upper, d.lower]), f).to.deep.equal(ref.days.map((d) => [d.upper, d.lower]));
        expect(report.events.map((e) => e.date), f).to.deep.equal(ref.events.map((t) => points[t]!.date));
        // every extremum the engine reports is one by the definition
        for (const s of report.spikes) expect(referenceExtremum(x, points.findIndex((p) => p.date === s.date), DEFAULT_PARAMS)).to.equal(1);
      }
    });
  });
});

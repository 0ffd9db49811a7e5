import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../../src/lib/errors";
import { parseDay } from "../../../src/lib/csv";
import { chooseEvents, ratioToWad, toSignalStruct } from "../../../src/sanx/signals";
import type { EventReport } from "../../../src/mvrv/engine";

const E18 = 10n ** 18n;
const ev = (date: string, zone: EventReport["zone"], mvrv: number, upper: number | null, lower: number | null): EventReport => ({ date, zone, mvrv, upper, lower });
// Values exact in binary (k / 2^n), so their WAD form is exact.
const EVENTS = [
  ev("2023-03-01", "OPPORTUNITY", 0.75, 1.375, 0.875),
  ev("2023-05-10", "DANGER", 1.625, 1.5, 0.875),
  ev("2023-08-02", "OPPORTUNITY", 0.7, 1.5, 0.85),
];
const ASSET = "0x00000000000000000000000000000000000000aa";

describe("sanx/signals", function () {
  describe("#ratioToWad", function () {
    const table: [number, bigint][] = [
      [1, E18],
      [1.5, 15n * E18 / 10n],
      [0.000001, 10n ** 12n],
      [2.25, 225n * E18 / 100n],
      // The decimal as written, not the binary expansion of the double (0.1000000000000000055511...).
      [0.1, 10n ** 17n],
      [1.083406549, 1083406549n * 10n ** 9n],
      // Exponent forms: 1e-7, 1.5e-10, 123456789e12 = 1.23456789e+20.
      [1e-7, 10n ** 11n],
      [1.5e-10, 15n * 10n ** 7n],
      [1.23456789e20, 123456789n * 10n ** 30n],
      // More than 18 decimals: rounded half up at the 18th.
      [1.2345678901234567e-5, 12345678901235n],
    ];
    for (const [x, want] of table) {
      it(`returns ${want} for ${x}`, function () {
        expect(ratioToWad(x, "x")).to.equal(want);
      });
    }
    it("throws on zero, negative, non-finite and huge values", function () {
      for (const x of [0, -1, NaN, Infinity, 1e21]) expect(() => ratioToWad(x, "mvrv")).to.throw(InputError, "mvrv is");
    });
    it("keeps a strict order between ratios near 1 (property)", function () {
      fc.assert(
        fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), (a, b) => {
          fc.pre(a !== b);
          const [lo, hi] = a < b ? [a, b] : [b, a];
          return ratioToWad(lo, "lo") < ratioToWad(hi, "hi");
        }),
      );
    });
  });

  describe("#chooseEvents", function () {
    it("returns only the latest event without a start date", function () {
      expect(chooseEvents("UNI", { events: EVENTS })).to.deep.equal([{ symbol: "UNI", event: EVENTS[2] }]);
    });
    it("returns every event dated on or after the start date, in order", function () {
      const got = chooseEvents("UNI", { events: EVENTS }, parseDay("2023-05-10", "t"));
      expect(got.map((c) => c.event.date)).to.deep.equal(["2023-05-10", "2023-08-02"]);
    });
    it("returns nothing for an asset that never signalled or nothing since the date", function () {
      expect(chooseEvents("UNI", { events: [] })).to.deep.equal([]);
      expect(chooseEvents("UNI", { events: EVENTS }, parseDay("2024-01-01", "t"))).to.deep.equal([]);
    });
  });

  describe("#toSignalStruct", function () {
    it("returns the crossed threshold (L for OPPORTUNITY, U for DANGER) and the day as day and round", function () {
      const opp = toSignalStruct({ symbol: "UNI", event: EVENTS[0] as never }, ASSET, 123n);
      const day = BigInt(parseDay("2023-03-01", "t"));
      expect(opp).to.deep.equal({ asset: ASSET, zone: 1n, day, mvrv: 750n * E18 / 1000n, threshold: 875n * E18 / 1000n, expiresAt: 123n });
      const dng = toSignalStruct({ symbol: "UNI", event: EVENTS[1] as never }, ASSET, 123n);
      expect([dng.zone, dng.mvrv, dng.threshold]).to.deep.equal([2n, 1625n * E18 / 1000n, 15n * E18 / 10n]);
    });
    it("throws when the crossed threshold is missing or contradicts the zone", function () {
      expect(() => toSignalStruct({ symbol: "UNI", event: ev("2023-01-01", "DANGER", 2, null, 0.5) as never }, ASSET, 1n)).to.throw(InputError, "without its threshold");
      expect(() => toSignalStruct({ symbol: "UNI", event: ev("2023-01-01", "OPPORTUNITY", 1, 2, 0.5) as never }, ASSET, 1n)).to.throw(InputError, "contradict");
    });
  });
});

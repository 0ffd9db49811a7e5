import { expect } from "chai";
import { InputError } from "../../../src/lib/errors";
import { WAD, divCeil, divFloor, numberToWad, parseWad, wadToNumber } from "../../../src/ussi";

describe("ussi/fixed", () => {
  describe("#parseWad", () => {
    const cases: Array<[string, bigint]> = [
      ["0.0001", 10n ** 14n],
      ["-0.0000824", -824n * 10n ** 11n],
      ["0.00022753", 22_753n * 10n ** 10n],
      ["1", WAD],
      ["0", 0n],
      ["12.5", 125n * 10n ** 17n],
      ["0.0000000000000000015", 2n], // 19th decimal 5 rounds half away from zero
      ["-0.0000000000000000014", -1n],
    ];
    for (const [text, want] of cases) {
      it(`returns ${want} for "${text}"`, () => expect(parseWad(text, "t")).to.equal(want));
    }
    for (const bad of ["1e-4", "", "abc", "0.1.2", ".5"]) {
      it(`throws an InputError naming the source for "${bad}"`, () => {
        expect(() => parseWad(bad, "f.csv:3")).to.throw(InputError, /f\.csv:3/);
      });
    }
  });

  describe("#divFloor/#divCeil", () => {
    const cases: Array<[bigint, bigint, bigint, bigint]> = [
      // a, b, floor, ceil
      [7n, 2n, 3n, 4n],
      [-7n, 2n, -4n, -3n],
      [6n, 3n, 2n, 2n],
      [-6n, 3n, -2n, -2n],
      [0n, 5n, 0n, 0n],
    ];
    for (const [a, b, f, c] of cases) {
      it(`rounds ${a}/${b} down to ${f} and up to ${c}`, () => {
        expect(divFloor(a, b)).to.equal(f);
        expect(divCeil(a, b)).to.equal(c);
      });
    }
  });

  describe("#numberToWad/#wadToNumber", () => {
    it("converts 0.1 exactly through its shortest decimal", () => expect(numberToWad(0.1, "x")).to.equal(10n ** 17n));
    it("converts a tiny exponent-form float", () => expect(numberToWad(1e-7, "x")).to.equal(10n ** 11n));
    it("round-trips a USD amount to float", () =>
      expect(wadToNumber(-1_234_567_890_123_456_789_000n)).to.be.closeTo(-1234.567890123456789, 1e-9));
  });
});

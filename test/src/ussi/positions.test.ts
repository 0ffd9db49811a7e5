import { expect } from "chai";
import { InputError } from "../../../src/lib/errors";
import { WAD, navReport, parsePositions } from "../../../src/ussi";

const good = {
  round: 3,
  timestamp: "2026-06-30T16:00:00Z",
  supply: "1000",
  cash: "50",
  fundingAccrued: "1.25",
  assets: { BTC: { price: "100", spot: "9.5", perp: "-9.5", entryPrice: "98" } },
};

describe("ussi/positions", () => {
  describe("#parsePositions", () => {
    it("returns the book in 1e18 units", () => {
      const p = parsePositions(good, "p.json");
      expect(p.round).to.equal(3n);
      expect(p.timestamp).to.equal(BigInt(Date.parse("2026-06-30T16:00:00Z") / 1000));
      expect(p.book.spot["BTC"]).to.equal(95n * 10n ** 17n);
      expect(p.book.perp["BTC"]).to.deep.equal({ size: -95n * 10n ** 17n, entryPrice: 98n * WAD });
      // NAV = 950 spot - 19 perp PnL (short 9.5 from 98 to 100) + 1.25 + 50 = 982.25
      expect(navReport(p).nav).to.equal(98_225n * 10n ** 16n);
    });
    const bad: Array<[string, unknown, RegExp]> = [
      ["a float amount", { ...good, cash: 50 }, /cash must be a decimal string/],
      ["a zero supply", { ...good, supply: "0" }, /supply must be positive/],
      ["a perp without entry price", { ...good, assets: { BTC: { price: "1", perp: "-1" } } }, /entryPrice is required/],
      ["a zero price", { ...good, assets: { BTC: { price: "0" } } }, /price must be positive/],
      ["a negative spot", { ...good, assets: { BTC: { price: "1", spot: "-1" } } }, /spot must not be negative/],
      ["a bad timestamp", { ...good, timestamp: "yesterday" }, /timestamp/],
    ];
    for (const [name, value, re] of bad)
      it(`throws naming the field on ${name}`, () => expect(() => parsePositions(value, "p.json")).to.throw(InputError, re));
  });
});

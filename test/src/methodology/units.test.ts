import { expect } from "chai";
import { basketUnits, targetUnits, usdToWad } from "../../../src/methodology/units";
import { MethodologyError } from "../../../src/lib/errors";

const E = (x: number, e: number) => BigInt(x) * 10n ** BigInt(e);

describe("#targetUnits", () => {
  const cases: { name: string; w: bigint; nav: bigint; price: bigint; dec: number; want: bigint }[] = [
    // 10% of $100 = $10 of BTC at $50,000 = 0.0002 BTC = 20,000 sats (8 decimals).
    { name: "BTC, 8 decimals", w: E(1, 17), nav: E(100, 18), price: E(50000, 18), dec: 8, want: 20_000n },
    // 100% of $1 of a $3 token = 1/3 token = 333333333333333333.3 wei -> rounded down.
    { name: "rounds down (1/3 of an 18-decimal token)", w: E(1, 18), nav: E(1, 18), price: E(3, 18), dec: 18, want: 333333333333333333n },
    // 50% of $1 of a $1 token with 6 decimals = 0.5 token = 500,000 base units.
    { name: "6 decimals (USDC-like)", w: E(5, 17), nav: E(1, 18), price: E(1, 18), dec: 6, want: 500_000n },
    // 25% of $1,000 = $250 of a $0.00001 token (18 dec) = 25,000,000 tokens = 2.5e25 wei.
    { name: "a tiny price", w: E(25, 16), nav: E(1000, 18), price: E(1, 13), dec: 18, want: E(25, 24) },
    // 0 decimals: 10% of $100 = $10 of a $3 token = 3.33 -> 3.
    { name: "0 decimals rounds down to whole tokens", w: E(1, 17), nav: E(100, 18), price: E(3, 18), dec: 0, want: 3n },
  ];
  for (const c of cases) {
    it(`returns ${c.want} for ${c.name}`, () => expect(targetUnits(c.w, c.nav, c.price, c.dec)).to.equal(c.want));
  }

  it("throws on a non-positive price or NAV, a negative weight, or bad decimals", () => {
    expect(() => targetUnits(1n, E(1, 18), 0n, 18)).to.throw(MethodologyError, /price/);
    expect(() => targetUnits(1n, 0n, E(1, 18), 18)).to.throw(MethodologyError, /NAV/);
    expect(() => targetUnits(-1n, E(1, 18), E(1, 18), 18)).to.throw(MethodologyError, /weight/);
    expect(() => targetUnits(1n, E(1, 18), E(1, 18), 1.5)).to.throw(MethodologyError, /decimals/);
  });
});

describe("#basketUnits", () => {
  it("computes each constituent's units in order", () => {
    const q = basketUnits(
      [
        { symbol: "BTC", weight: E(6, 17), priceWad: E(60000, 18), decimals: 8 }, // $60 / 60000 = 0.001 BTC = 100,000 sats
        { symbol: "ETH", weight: E(4, 17), priceWad: E(4000, 18), decimals: 18 }, // $40 / 4000 = 0.01 ETH = 1e16 wei
      ],
      E(100, 18),
    );
    expect(q).to.deep.equal([100_000n, E(1, 16)]);
  });

  it("throws naming the symbol when a positive weight rounds to zero units", () => {
    // 1 wei of weight of $1 at $1e12 with 0 decimals -> 0
    expect(() => basketUnits([{ symbol: "BIG", weight: 1n, priceWad: E(1, 30), decimals: 0 }], E(1, 18))).to.throw(
      MethodologyError,
      /BIG: .*rounds to 0 units/,
    );
  });
});

describe("#usdToWad", () => {
  const cases: [string | number, bigint][] = [
    ["64250.5", 64250_500000000000000000n],
    [0.1, E(1, 17)],
    [1.5e-7, 150_000_000_000n],
    ["2e3", E(2000, 18)],
    ["0.000000000000000001", 1n],
  ];
  for (const [x, want] of cases) it(`returns ${want} for ${JSON.stringify(x)}`, () => expect(usdToWad(x)).to.equal(want));
  it("throws on negative, non-numeric and over-precise input", () => {
    expect(() => usdToWad("-1")).to.throw(MethodologyError);
    expect(() => usdToWad("abc")).to.throw(MethodologyError);
    expect(() => usdToWad("0.0000000000000000001")).to.throw(MethodologyError, /18 decimal/);
  });
});

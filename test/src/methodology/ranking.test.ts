import { expect } from "chai";
import { compareSymbols, rankAssets, roundUsd } from "../../../src/methodology/ranking";
import { MAG7, MEME } from "../../../src/methodology/products";
import type { Asset } from "../../../src/methodology/types";

function asset(symbol: string, marketCapUsd: number | undefined, extra: Partial<Asset> = {}): Asset {
  return { symbol, marketCapUsd, categories: [], stablecoin: false, wrapped: false, ...extra };
}

describe("#roundUsd", () => {
  const cases: [number, bigint, string][] = [
    [0.5, 1n, "a half rounds up (away from zero)"],
    [1.5, 2n, "1.5 -> 2"],
    [2.5, 3n, "2.5 -> 3, not banker's 2"],
    [2.4999, 2n, "below the half rounds down"],
    [-0.5, -1n, "a negative half rounds away from zero"],
    [-2.5, -3n, "-2.5 -> -3"],
    [0.49999999999999994, 0n, "the largest double below 0.5 -> 0 (floor(x + 0.5) would give 1)"],
    [1e12 + 0.5, 1_000_000_000_001n, "1e12 + 0.5 (exact in a double) -> 1e12 + 1"],
    [4503599627370495.5, 4503599627370496n, "2^52 - 0.5 -> 2^52"],
    [1.2e12, 1_200_000_000_000n, "a whole number is unchanged"],
    [0, 0n, "zero"],
  ];
  for (const [x, want, why] of cases) {
    it(`returns ${want} for ${x}: ${why}`, () => expect(roundUsd(x)).to.equal(want));
  }
  it("throws for NaN and Infinity", () => {
    expect(() => roundUsd(NaN)).to.throw(/not a finite number/);
    expect(() => roundUsd(Infinity)).to.throw(/not a finite number/);
  });
});

describe("#compareSymbols", () => {
  it("orders by code unit, not locale: 'B' (66) before 'a' (97), '1INCH' before 'AAVE'", () => {
    expect(["a", "B", "AAVE", "1INCH"].sort(compareSymbols)).to.deep.equal(["1INCH", "AAVE", "B", "a"]);
  });
});

describe("#rankAssets", () => {
  it("ranks by market cap descending, rank 1 the largest", () => {
    const r = rankAssets([asset("SMALL", 10), asset("BIG", 1000), asset("MID", 100)], MAG7.eligibility);
    expect(r.map((a) => [a.symbol, a.rank, a.marketCapUsd])).to.deep.equal([
      ["BIG", 1, 1000n],
      ["MID", 2, 100n],
      ["SMALL", 3, 10n],
    ]);
  });

  it("breaks ties by symbol ascending", () => {
    const r = rankAssets([asset("ZED", 500), asset("ABC", 500), asset("MMM", 500), asset("TOP", 600)], MAG7.eligibility);
    expect(r.map((a) => a.symbol)).to.deep.equal(["TOP", "ABC", "MMM", "ZED"]);
  });

  it("compares the rounded caps: 99.5 and 100.4 both round to 100 and tie, so AAA (99.5) ranks before BBB (100.4)", () => {
    const r = rankAssets([asset("BBB", 100.4), asset("AAA", 99.5)], MAG7.eligibility);
    expect(r.map((a) => [a.symbol, a.marketCapUsd])).to.deep.equal([
      ["AAA", 100n],
      ["BBB", 100n],
    ]);
  });

  it("drops zero, missing, and caps that round to zero (0.4 -> 0); 0.5 -> 1 stays", () => {
    const r = rankAssets([asset("ZERO", 0), asset("NONE", undefined), asset("TINY", 0.4), asset("HALF", 0.5)], MAG7.eligibility);
    expect(r.map((a) => [a.symbol, a.marketCapUsd])).to.deep.equal([["HALF", 1n]]);
  });

  it("excludes stablecoins and wrapped assets for MAG7", () => {
    const r = rankAssets(
      [asset("USDT", 1e11, { stablecoin: true }), asset("WBTC", 1e10, { wrapped: true }), asset("BTC", 1e12)],
      MAG7.eligibility,
    );
    expect(r.map((a) => a.symbol)).to.deep.equal(["BTC"]);
  });

  it("keeps only category `meme` for MEME", () => {
    const r = rankAssets(
      [asset("BTC", 1e12, { categories: ["layer1"] }), asset("DOGE", 1e10, { categories: ["meme"] }), asset("PEPE", 1e9, { categories: ["meme", "x"] })],
      MEME.eligibility,
    );
    expect(r.map((a) => [a.symbol, a.rank])).to.deep.equal([
      ["DOGE", 1],
      ["PEPE", 2],
    ]);
  });
});

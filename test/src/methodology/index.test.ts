import { expect } from "chai";
import { computeIndex, DEFI, defineIndex, MAG7, MEME, PRODUCTS, USSI, WAD } from "../../../src/methodology";
import type { Asset, Universe } from "../../../src/methodology";
import { MethodologyError } from "../../../src/lib/errors";

const a = (symbol: string, cap: number, categories: string[] = [], flags: Partial<Asset> = {}): Asset => ({
  symbol,
  marketCapUsd: cap,
  categories,
  stablecoin: false,
  wrapped: false,
  ...flags,
});

// 8 plain assets with caps 800..100, a stablecoin and a wrapped token bigger than all of them.
const universe: Universe = {
  date: "2026-01-31",
  assets: [
    a("USDX", 10_000, ["stablecoin"], { stablecoin: true }),
    a("WBIG", 9_000, ["wrapped"], { wrapped: true }),
    ...["H", "G", "F", "E", "D", "C", "B", "A"].map((s, i) => a(s, 100 * (i + 1))),
  ],
};

describe("#computeIndex", () => {
  it("ranks, selects and weights MAG7 in one call (USDX and WBIG excluded)", () => {
    // top 7: A 800, B 700, C 600, D 500, E 400, F 300, G 200; M = 3500; R = 3e17.
    // w = 1e17 + floor(3e17 * m / 3500): A 1e17 + 68571428571428571 (3e17*800/3500 = 68571428571428571.4), ...
    const c = computeIndex(MAG7, universe);
    expect(c.index).to.equal("MAG7");
    expect(c.date).to.equal("2026-01-31");
    expect(c.constituents.map((x) => x.symbol)).to.deep.equal(["A", "B", "C", "D", "E", "F", "G"]);
    expect(c.constituents[1]!.weight).to.equal(10n ** 17n + 60000000000000000n); // 3e17*700/3500 = 6e16 exactly
    expect(c.constituents.reduce((s, x) => s + x.weight, 0n)).to.equal(WAD);
  });

  it("USSI's spot leg is MAG7's selection and weights", () => {
    const m = computeIndex(MAG7, universe, ["H"]);
    const u = computeIndex(USSI, universe, ["H"]);
    expect(u.index).to.equal("USSI");
    expect(u.constituents).to.deep.equal(m.constituents);
  });

  it("takes every parameter from the definition (N, B, floor, cap, eligibility)", () => {
    const def = defineIndex(MAG7, { name: "TOP4", constituents: 4, buffer: 1, floorWad: 0n, capWad: 3n * 10n ** 17n });
    // top 4: A 800, B 700, C 600, D 500 (M = 2600): A = 0.3077 > 0.3 capped; then 0.7 over 1800: B 0.2722, C 0.2333, D 0.1944.
    const c = computeIndex(def, universe, ["A", "B", "C", "F"]); // F is rank 6 > N + B = 5: dropped; D (rank 4 > N - B = 3) fills
    expect(c.constituents.map((x) => x.symbol)).to.deep.equal(["A", "B", "C", "D"]);
    // B = floor(7e17 * 700 / 1800) = 272222222222222222, C = floor(7e17 * 600 / 1800) = 233333333333333333,
    // D = floor(7e17 * 500 / 1800) = 194444444444444444; with A's 3e17 the sum is 1e18 - 1, and the
    // residual 1 goes to rank 1 (section 3), so the capped A ends 1 wei above the cap.
    expect(c.constituents.map((x) => x.weight)).to.deep.equal([300000000000000001n, 272222222222222222n, 233333333333333333n, 194444444444444444n]);
    expect(c.constituents.reduce((s, x) => s + x.weight, 0n)).to.equal(WAD);
  });

  it("throws a MethodologyError naming the index when too few are eligible (MEME has no meme assets here)", () => {
    expect(() => computeIndex(MEME, universe)).to.throw(MethodologyError, /MEME: only 0 eligible asset\(s\).*needs 10/);
  });

  describe("stablecoins and wrapped, bridged or staked derivatives are excluded from every product (section 1)", () => {
    // Real category lists (CoinGecko's DeFi and meme categories among them) contain DAI, USDe, stETH
    // and WBTC. Here each is tagged with the sector and is bigger than every real member.
    const members = (tag: string) => Array.from({ length: 10 }, (_, i) => a(`${tag.toUpperCase()}${i}`, 1_000 - i * 10, [tag]));
    const intruders = (tag: string) => [
      a("DAI", 50_000, [tag, "stablecoin"], { stablecoin: true }),
      a("USDE", 40_000, [tag, "stablecoin"], { stablecoin: true }),
      a("STETH", 30_000, [tag, "staked"], { wrapped: true }),
      a("WBTC", 20_000, [tag, "wrapped"], { wrapped: true }),
    ];
    for (const [def, tag] of [
      [DEFI, "defi"],
      [MEME, "meme"],
    ] as const) {
      it(`${def.name} leaves out DAI, USDe, stETH and WBTC even when tagged ${tag}`, () => {
        const c = computeIndex(def, { date: "2026-01-31", assets: [...intruders(tag), ...members(tag)] });
        expect(c.constituents.map((x) => x.symbol)).to.deep.equal(members(tag).map((m) => m.symbol));
        // With only the intruders plus 9 members there are too few: an error, never an index with a stablecoin.
        expect(() => computeIndex(def, { date: "2026-01-31", assets: [...intruders(tag), ...members(tag).slice(1)] })).to.throw(MethodologyError, /only 9 eligible/);
      });
    }

    it("no definition may switch the exclusion off", () => {
      expect(() => defineIndex(DEFI, { eligibility: { category: "defi", excludeStablecoins: false, excludeWrapped: true } })).to.throw(MethodologyError, /every product excludes stablecoins/);
      expect(() => defineIndex(MEME, { eligibility: { category: "meme", excludeStablecoins: true, excludeWrapped: false } })).to.throw(MethodologyError, /every product excludes/);
    });
  });

  it("validates the definition", () => {
    expect(() => defineIndex(DEFI, { constituents: 0 })).to.throw(MethodologyError, /N = 0/);
    expect(() => defineIndex(DEFI, { buffer: -1 })).to.throw(MethodologyError, /buffer/);
    expect(() => defineIndex(MAG7, { floorWad: 2n * 10n ** 17n })).to.throw(MethodologyError, /floor/);
  });

  it("has the section 1 defaults", () => {
    expect([PRODUCTS.MAG7, PRODUCTS.MEME, PRODUCTS.DEFI].map((d) => [d.constituents, d.buffer, d.floorWad, d.capWad])).to.deep.equal([
      [7, 2, 10n ** 17n, undefined],
      [10, 2, 0n, undefined],
      [10, 2, 0n, undefined],
    ]);
    expect(MEME.eligibility.category).to.equal("meme");
    expect(DEFI.eligibility.category).to.equal("defi");
    expect(MAG7.eligibility).to.deep.equal({ excludeStablecoins: true, excludeWrapped: true });
    expect(MEME.eligibility).to.deep.equal({ category: "meme", excludeStablecoins: true, excludeWrapped: true });
    expect(DEFI.eligibility).to.deep.equal({ category: "defi", excludeStablecoins: true, excludeWrapped: true });
  });
});

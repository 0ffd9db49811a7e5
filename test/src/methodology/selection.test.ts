import { expect } from "chai";
import fc from "fast-check";
import { selectConstituents } from "../../../src/methodology/selection";
import type { RankedAsset } from "../../../src/methodology/types";
import { MethodologyError } from "../../../src/lib/errors";

/** R01..Rk with rank i and strictly decreasing caps. */
function ranked(k: number): RankedAsset[] {
  return Array.from({ length: k }, (_, i) => {
    const symbol = `R${String(i + 1).padStart(2, "0")}`;
    const cap = 1000 - i;
    return {
      symbol,
      rank: i + 1,
      marketCapUsd: BigInt(cap),
      asset: { symbol, marketCapUsd: cap, categories: [], stablecoin: false, wrapped: false },
    };
  });
}
const R = (...ranks: number[]) => ranks.map((r) => `R${String(r).padStart(2, "0")}`);

// N = 7, B = 2: incumbents stay while rank <= N + B = 9; entrants need rank <= N - B = 5.
const P = { name: "MAG7", constituents: 7, buffer: 2 };

describe("#selectConstituents", () => {
  const cases: { name: string; incumbents: string[]; want: number[] }[] = [
    { name: "first construction (no incumbents): the top N", incumbents: [], want: [1, 2, 3, 4, 5, 6, 7] },
    {
      // keep 1-6 and 8 (8 <= 9); R07 is a non-incumbent at rank 7 > 5: not added; 7 members.
      name: "keeps an incumbent at rank N+1 = 8 (and a non-incumbent at rank 7 does not enter)",
      incumbents: R(1, 2, 3, 4, 5, 6, 8),
      want: [1, 2, 3, 4, 5, 6, 8],
    },
    { name: "keeps an incumbent at rank N+2 = 9", incumbents: R(1, 2, 3, 4, 5, 6, 9), want: [1, 2, 3, 4, 5, 6, 9] },
    {
      // R10 > 9 is dropped; 6 members; fill with the best-ranked non-member R07.
      name: "drops an incumbent at rank N+3 = 10 and fills with the best-ranked non-member",
      incumbents: R(1, 2, 3, 4, 5, 6, 10),
      want: [1, 2, 3, 4, 5, 6, 7],
    },
    {
      // keep 1-4, 6, 7, 8 (7 members); entrant R05 (5 <= 5) added -> 8; drop the worst rank, R08.
      name: "admits an entrant at rank N-B = 5 and drops the worst-ranked member",
      incumbents: R(1, 2, 3, 4, 6, 7, 8),
      want: [1, 2, 3, 4, 5, 6, 7],
    },
    {
      // keep 1-5, 7, 8 (7 members); R06 is a non-incumbent at 6 > 5: not an entrant; set is full.
      name: "does not admit a non-incumbent at rank N-B+1 = 6 when no slot is free",
      incumbents: R(1, 2, 3, 4, 5, 7, 8),
      want: [1, 2, 3, 4, 5, 7, 8],
    },
    {
      // keep 1-5, 7 (R11 > 9 dropped): 6 members; no entrant (R06 at 6 > 5); fill: best non-member R06.
      name: "admits the non-incumbent at rank N-B+1 = 6 when a slot is free (fill)",
      incumbents: R(1, 2, 3, 4, 5, 7, 11),
      want: [1, 2, 3, 4, 5, 6, 7],
    },
    {
      // keep 3-9 (all <= 9): 7; entrants R01, R02 -> 9; drop R09, then R08.
      name: "drops the worst ranks while more than N after adding entrants",
      incumbents: R(3, 4, 5, 6, 7, 8, 9),
      want: [1, 2, 3, 4, 5, 6, 7],
    },
    {
      // keep R01, R02 (the others left the universe); entrants R03-R05 -> 5; fill R06, R07.
      name: "fills with the best-ranked non-members while fewer than N",
      incumbents: ["R01", "R02", "GONE1", "GONE2", "GONE3", "GONE4", "GONE5"],
      want: [1, 2, 3, 4, 5, 6, 7],
    },
    {
      // keep 9, 8 and 6 only; entrants 1-5 -> 8 members; drop R09 -> 1-6 and 8.
      name: "lists the result in rank order whatever the incumbents' order",
      incumbents: R(9, 8, 6),
      want: [1, 2, 3, 4, 5, 6, 8],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ranks ${c.want.join(",")}`, () => {
      const got = selectConstituents(ranked(12), P, c.incumbents);
      expect(got.map((a) => a.symbol)).to.deep.equal(R(...c.want));
      expect(got.map((a) => a.rank)).to.deep.equal(c.want);
    });
  }

  it("uses N and B from its parameters (N = 10, B = 2: rank 12 stays, rank 13 goes, entrant needs rank <= 8)", () => {
    const p = { name: "MEME", constituents: 10, buffer: 2 };
    // incumbents 1-7, 9, 12, 13: 13 > 12 dropped -> 9 members; entrant R08 (8 <= 8) -> 10. R10, R11 are not entrants.
    const got = selectConstituents(ranked(14), p, R(1, 2, 3, 4, 5, 6, 7, 9, 12, 13));
    expect(got.map((a) => a.rank)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12]);
  });

  it("with B = 0 is a plain top N", () => {
    const got = selectConstituents(ranked(12), { name: "X", constituents: 7, buffer: 0 }, R(1, 2, 3, 4, 5, 6, 8));
    expect(got.map((a) => a.rank)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it("throws a MethodologyError naming the index and the counts when fewer than N are eligible", () => {
    expect(() => selectConstituents(ranked(6), P)).to.throw(MethodologyError, /MAG7: only 6 eligible asset\(s\).*needs 7/);
  });

  it("accepts exactly N eligible", () => {
    expect(selectConstituents(ranked(7), P, R(1)).map((a) => a.rank)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("#selectConstituents properties (fast-check)", () => {
  // Random N, B, universe size >= N and a random incumbent set (including symbols that left the universe).
  const arb = fc
    .record({ n: fc.integer({ min: 1, max: 12 }), b: fc.integer({ min: 0, max: 5 }), extra: fc.integer({ min: 0, max: 12 }) })
    .chain(({ n, b, extra }) =>
      fc.record({
        n: fc.constant(n),
        b: fc.constant(b),
        k: fc.constant(n + extra),
        incumbents: fc.subarray([...Array.from({ length: n + extra }, (_, i) => R(i + 1)[0]!), "GONE"], { maxLength: Math.min(n + 2, n + extra + 1) }),
      }),
    );

  it("returns N members in rank order; keeps the top N-B, every incumbent ranked <= N, and nothing outside rank N but a buffered incumbent", () => {
    fc.assert(
      fc.property(arb, ({ n, b, k, incumbents }) => {
        const got = selectConstituents(ranked(k), { name: "P", constituents: n, buffer: b }, incumbents);
        const ranks = got.map((a) => a.rank);
        expect(got.length).to.equal(n);
        expect([...ranks].sort((x, y) => x - y)).to.deep.equal(ranks);
        const inc = new Set(incumbents);
        for (let r = 1; r <= Math.max(0, n - b); r++) expect(ranks).to.include(r);
        for (const a of ranked(k)) if (inc.has(a.symbol) && a.rank <= n) expect(ranks).to.include(a.rank);
        for (const a of got) if (a.rank > n) expect(inc.has(a.symbol) && a.rank <= n + b).to.equal(true);
        if (incumbents.length === 0) expect(ranks).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
      }),
      { numRuns: 500 },
    );
  });
});

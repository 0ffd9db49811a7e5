import { expect } from "chai";
import path from "node:path";
import { loadUniverseFile } from "../../../src/data/universe";
import { computeIndex, DEFI, MAG7, MEME, rankAssets, WAD } from "../../../src/methodology";

// The scenarios the sample files were written to show (sample/README.md), checked by hand against
// section 2: N = 7 or 10, B = 2.
const root = path.resolve(__dirname, "../../..");
const month1 = loadUniverseFile(path.join(root, "sample/universe.json"));
const month2 = loadUniverseFile(path.join(root, "sample/universe-next.json"));
const symbols = (c: { constituents: readonly { symbol: string }[] }) => c.constituents.map((x) => x.symbol);
const rankOf = (u: typeof month1, def: typeof MAG7, s: string) => rankAssets(u.assets, def.eligibility).find((a) => a.symbol === s)?.rank;

describe("sample universes", () => {
  it("are labelled as synthetic sample data and dated on month-ends", () => {
    for (const f of ["universe.json", "universe-next.json"]) {
      const raw = require(path.join(root, "sample", f));
      expect(raw._sample).to.match(/synthetic sample data, not market data/i);
    }
    expect([month1.date, month2.date]).to.deep.equal(["2026-09-30", "2026-10-31"]);
  });

  it("hold at least 12 meme and 12 defi assets, stablecoins and wrapped tokens", () => {
    expect(month1.assets.filter((a) => a.categories.includes("meme")).length).to.be.at.least(12);
    expect(month1.assets.filter((a) => a.categories.includes("defi")).length).to.be.at.least(12);
    expect(month1.assets.filter((a) => a.stablecoin).length).to.be.at.least(2);
    expect(month1.assets.filter((a) => a.wrapped).length).to.be.at.least(2);
  });

  it("MAG7 month 1: the top 7 without USDT (3rd largest) and the wrapped tokens; every weight >= 10%", () => {
    const c = computeIndex(MAG7, month1);
    expect(symbols(c)).to.deep.equal(["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA"]);
    for (const x of c.constituents) expect(x.weight >= WAD / 10n).to.equal(true);
  });

  it("MAG7 month 2: ADA at rank 8 (N+1) stays, TRX at rank 7 (> N-B) does not enter", () => {
    expect(rankOf(month2, MAG7, "ADA")).to.equal(8);
    expect(rankOf(month2, MAG7, "TRX")).to.equal(7);
    const c = computeIndex(MAG7, month2, symbols(computeIndex(MAG7, month1)));
    expect(symbols(c)).to.deep.equal(["BTC", "ETH", "XRP", "BNB", "SOL", "DOGE", "ADA"]);
    // without incumbents (a plain top 7) TRX would replace ADA
    expect(symbols(computeIndex(MAG7, month2))).to.include("TRX");
  });

  it("MEME month 2: BRETT at rank 8 (N-B) enters, SPX at 11 (N+1) stays, FARTCOIN at 13 leaves, POPCAT at 10 stays out", () => {
    const m1 = computeIndex(MEME, month1);
    expect(symbols(m1)).to.deep.equal(["DOGE", "SHIB", "PEPE", "TRUMP", "BONK", "PENGU", "WIF", "FLOKI", "SPX", "FARTCOIN"]);
    expect(["BRETT", "POPCAT", "SPX", "FARTCOIN"].map((s) => rankOf(month2, MEME, s))).to.deep.equal([8, 10, 11, 13]);
    const m2 = computeIndex(MEME, month2, symbols(m1));
    expect(symbols(m2)).to.deep.equal(["DOGE", "SHIB", "PEPE", "TRUMP", "BONK", "PENGU", "WIF", "BRETT", "FLOKI", "SPX"]);
  });

  it("DEFI month 2: YFI at rank 8 enters, 1INCH at 11 stays, SNX at 13 leaves, SUSHI at 10 stays out", () => {
    const d1 = computeIndex(DEFI, month1);
    expect(symbols(d1)).to.deep.equal(["UNI", "AAVE", "MKR", "LDO", "PENDLE", "CRV", "GRT", "COMP", "SNX", "1INCH"]);
    expect(["YFI", "SUSHI", "1INCH", "SNX"].map((s) => rankOf(month2, DEFI, s))).to.deep.equal([8, 10, 11, 13]);
    const d2 = computeIndex(DEFI, month2, symbols(d1));
    expect(symbols(d2)).to.deep.equal(["UNI", "AAVE", "MKR", "LDO", "PENDLE", "CRV", "GRT", "YFI", "COMP", "1INCH"]);
  });
});

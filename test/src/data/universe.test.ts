import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatUniverse, loadUniverseFile, parseUniverse } from "../../../src/data/universe";
import { InputError } from "../../../src/lib/errors";

const good = () => ({
  _comment: "ignored",
  date: "2026-09-30",
  assets: [
    { symbol: "BTC", marketCapUsd: 1.2e12, categories: ["layer1"], stablecoin: false, wrapped: false },
    { symbol: "USDT", marketCapUsd: 1.6e11, categories: ["stablecoin"], stablecoin: true, wrapped: false, priceUsd: 1 },
    { symbol: "NEW", marketCapUsd: null, categories: [], stablecoin: false, wrapped: false },
  ],
});

describe("#parseUniverse", () => {
  it("returns the assets, with a null market cap as missing and _-keys ignored", () => {
    const u = parseUniverse(good(), "u.json");
    expect(u.date).to.equal("2026-09-30");
    expect(u.assets.map((a) => [a.symbol, a.marketCapUsd])).to.deep.equal([
      ["BTC", 1.2e12],
      ["USDT", 1.6e11],
      ["NEW", undefined],
    ]);
    expect(u.assets[1]!.stablecoin).to.equal(true);
    expect(u.assets[1]!.priceUsd).to.equal(1);
  });

  type Mut = (j: any) => void;
  const bad: [string, Mut, RegExp][] = [
    ["a non-object", (j) => (j.assets = 1), /u\.json: assets must be an array/],
    ["a bad date", (j) => (j.date = "2026-02-30"), /u\.json: date: "2026-02-30" is not a date/],
    ["a missing date", (j) => delete j.date, /u\.json: date must be a string/],
    ["a string market cap", (j) => (j.assets[2].marketCapUsd = "12"), /u\.json: assets\[2\]\.marketCapUsd must be a finite number >= 0/],
    ["a negative market cap", (j) => (j.assets[0].marketCapUsd = -1), /assets\[0\]\.marketCapUsd/],
    ["a missing market cap key", (j) => delete j.assets[0].marketCapUsd, /assets\[0\]\.marketCapUsd/],
    ["a missing stablecoin flag", (j) => delete j.assets[1].stablecoin, /assets\[1\]\.stablecoin must be true or false/],
    ["a non-boolean wrapped flag", (j) => (j.assets[0].wrapped = "no"), /assets\[0\]\.wrapped must be true or false/],
    ["a category that is not a string", (j) => (j.assets[0].categories = ["ok", 3]), /assets\[0\]\.categories\[1\] must be a non-empty string/],
    ["missing categories", (j) => delete j.assets[0].categories, /assets\[0\]\.categories must be an array/],
    ["an empty symbol", (j) => (j.assets[0].symbol = ""), /assets\[0\]\.symbol must be a non-empty string/],
    ["a duplicate symbol (any case)", (j) => (j.assets[2].symbol = "btc"), /assets\[2\]\.symbol "btc" duplicates assets\[0\]\.symbol/],
    ["an unknown key (typo)", (j) => (j.assets[1].marketcapUsd = 5), /assets\[1\]\.marketcapUsd is not a known field/],
    ["a zero price", (j) => (j.assets[1].priceUsd = 0), /assets\[1\]\.priceUsd must be a finite number > 0/],
    ["a stablecoin category with the flag false", (j) => (j.assets[1].stablecoin = false), /assets\[1\]\.stablecoin is false but categories name "stablecoin": set it true/],
    ["a staked derivative with the wrapped flag false", (j) => (j.assets[0].categories = ["defi", "staked"]), /assets\[0\]\.wrapped is false but categories name "staked": set it true/],
  ];
  for (const [what, mutate, msg] of bad) {
    it(`throws an InputError naming the field for ${what}`, () => {
      const j = good();
      mutate(j);
      expect(() => parseUniverse(j, "u.json")).to.throw(InputError, msg);
    });
  }
});

describe("#loadUniverseFile", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "universe-"));
  it("round-trips through formatUniverse", () => {
    const file = path.join(dir, "u.json");
    writeFileSync(file, formatUniverse(parseUniverse(good(), "x")));
    expect(loadUniverseFile(file)).to.deep.equal(parseUniverse(good(), "x"));
  });
  it("throws for a missing file and for malformed JSON, naming the file", () => {
    expect(() => loadUniverseFile(path.join(dir, "none.json"))).to.throw(InputError, /universe file not found: .*none\.json/);
    const file = path.join(dir, "bad.json");
    writeFileSync(file, '{"date": "2026-09-30", "assets": [}');
    expect(() => loadUniverseFile(file)).to.throw(InputError, /bad\.json: not valid JSON/);
  });
});

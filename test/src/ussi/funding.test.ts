import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../../src/lib/errors";
import { annualisedFundingRate, fundingSymbolsIn, loadFundingDir, parseFundingCsv, parseIsoSecond, sumRatesWad } from "../../../src/ussi";

const T = (iso: string): number => Date.parse(iso) / 1000;

describe("ussi/funding", () => {
  describe("#parseFundingCsv", () => {
    it("returns settlements with exact WAD rates and unix times", () => {
      const s = parseFundingCsv("time,funding_rate\n2021-01-01T00:00:00Z,0.00022753\n2021-01-01T08:00:00Z,-0.0000824\n", "BTC", "f.csv");
      expect(s.settlements).to.deep.equal([
        { time: T("2021-01-01T00:00:00Z"), rateWad: 227_530_000_000_000n, rate: 0.00022753 },
        { time: T("2021-01-01T08:00:00Z"), rateWad: -82_400_000_000_000n, rate: -0.0000824 },
      ]);
    });
    const bad: Array<[string, string, RegExp]> = [
      [
        "a duplicate time",
        "time,funding_rate\n2021-01-01T00:00:00Z,0.0001\n2021-01-01T00:00:00Z,0.0001\n",
        /f\.csv:3: .*duplicates line 2/,
      ],
      [
        "an earlier time",
        "time,funding_rate\n2021-01-01T08:00:00Z,0.0001\n2021-01-01T00:00:00Z,0.0001\n",
        /f\.csv:3: .*earlier than line 2/,
      ],
      ["a bad time", "time,funding_rate\n2021-01-01 00:00,0.0001\n", /f\.csv:2: column "time"/],
      ["an impossible date", "time,funding_rate\n2021-02-30T00:00:00Z,0.0001\n", /f\.csv:2/],
      ["a bad rate", "time,funding_rate\n2021-01-01T00:00:00Z,abc\n", /f\.csv:2: column "funding_rate"/],
      ["a missing column", "time,rate\n2021-01-01T00:00:00Z,0.0001\n", /missing column\(s\) funding_rate/],
    ];
    for (const [name, text, re] of bad) {
      it(`throws an InputError naming file:line on ${name}`, () =>
        expect(() => parseFundingCsv(text, "X", "f.csv")).to.throw(InputError, re));
    }
  });

  describe("#sumRatesWad / #annualisedFundingRate", () => {
    // SOL-like irregular window: 8h, then 4h, then 2h intervals, then 8h again.
    const text = [
      "time,funding_rate",
      "2022-11-09T08:00:00Z,0.0001",
      "2022-11-09T16:00:00Z,-0.001",
      "2022-11-09T20:00:00Z,-0.02", // 4h
      "2022-11-10T00:00:00Z,-0.02", // 4h
      "2022-11-10T02:00:00Z,-0.005", // 2h
      "2022-11-10T04:00:00Z,-0.005", // 2h
      "2022-11-10T08:00:00Z,0.0001", // 4h
      "2022-11-10T16:00:00Z,0.0001", // 8h
    ].join("\n");
    const s = parseFundingCsv(text, "SOL", "sol.csv");
    const from = T("2022-11-09T08:00:00Z");
    const to = T("2022-11-11T00:00:00Z"); // 40 hours
    it("returns the exact sum of rates over irregular intervals", () => {
      // 0.0001 - 0.001 - 0.02 - 0.02 - 0.005 - 0.005 + 0.0001 + 0.0001 = -0.0507
      expect(sumRatesWad(s, from, to)).to.equal(-50_700_000_000_000_000n);
    });
    it("annualises the sum over the window length, not mean * 1095", () => {
      const want = (-0.0507 * 365 * 24) / 40;
      expect(annualisedFundingRate(s, from, to)).to.be.closeTo(want, 1e-12);
      const meanTimes1095 = (-0.0507 / 8) * 1095;
      expect(Math.abs(annualisedFundingRate(s, from, to) - meanTimes1095)).to.be.greaterThan(1);
    });
    it("includes from and excludes to", () => {
      expect(sumRatesWad(s, T("2022-11-09T20:00:00Z"), T("2022-11-10T02:00:00Z"))).to.equal(-40_000_000_000_000_000n);
    });
  });

  describe("#loadFundingDir", () => {
    const dir = mkdtempSync(join(tmpdir(), "ussi-funding-"));
    writeFileSync(join(dir, "binance_BTCUSDT.csv"), "time,funding_rate\n2021-01-01T00:00:00Z,0.0001\n");
    writeFileSync(join(dir, "binance_ETHUSDT.csv"), "time,funding_rate\n");
    writeFileSync(join(dir, "bitmex_XBTUSD.csv"), "time,funding_rate\n");
    it("lists the binance_<SYM>USDT.csv symbols", () => expect(fundingSymbolsIn(dir)).to.deep.equal(["BTC", "ETH"]));
    it("loads the requested symbols", () => expect(loadFundingDir(dir, ["BTC"])["BTC"]!.settlements).to.have.length(1));
    it("throws naming the missing file", () =>
      expect(() => loadFundingDir(dir, ["BTC", "SOL"])).to.throw(InputError, /binance_SOLUSDT\.csv/));
    it("throws on an empty series", () => expect(() => loadFundingDir(dir, ["ETH"])).to.throw(InputError, /no settlements/));
    it("throws on a missing directory", () => expect(() => loadFundingDir(join(dir, "nope"), ["BTC"])).to.throw(InputError, /not found/));
  });

  describe("#parseIsoSecond", () => {
    it("returns unix seconds", () => expect(parseIsoSecond("1970-01-02T00:00:01Z", "x")).to.equal(86_401));
  });
});

import { expect } from "chai";
import path from "node:path";
import { amount, escapeHtml, pct, usd, usd4 } from "../../../src/report/format";
import { readOffChain } from "../../../src/report/data";
import { renderReport, responsiveSvg, sourceText, type ReportInput } from "../../../src/report/page";
import type { SsiProductData, Source } from "../../../src/report/types";

const WAD = 10n ** 18n;
const SAMPLE = path.join(__dirname, "..", "..", "..", "sample");

describe("report page", function () {
  this.timeout(30_000);
  describe("#format", () => {
    it("formats USD from {1e18 USD}, cents rounded down, grouped", () => {
      expect(usd(1_234_567n * 10n ** 16n + 9n * 10n ** 15n)).to.equal("$12,345.67");
      expect(usd(-(12n * 10n ** 16n))).to.equal("-$0.12");
      expect(usd4(98_672_123n * 10n ** 12n)).to.equal("$98.6721");
    });

    it("formats a WAD fraction as a percentage, and token amounts to six significant digits", () => {
      expect(pct(3072n * 10n ** 14n)).to.equal("30.72%");
      expect(pct(-24n * 10n ** 14n)).to.equal("-0.24%");
      expect(amount(41_371_6123n * 10n ** 9n, 18)).to.equal("0.413716");
      expect(amount(1_070_657_834_123n, 6)).to.equal("1,070,657");
      expect(amount(27_569n * 10n ** 10n, 18)).to.equal("0.00027569");
    });

    it("escapes HTML", () => {
      expect(escapeHtml(`<a href="x">&</a>`)).to.equal("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    });
  });

  it("gives an SVG without a viewBox one, so it scales down on a phone", () => {
    expect(responsiveSvg('<svg class="marks" width="900" height="360"><g/></svg>')).to.match(/^<svg viewBox="0 0 900 360"/);
    const already = '<svg viewBox="0 0 1 1" width="1" height="1"></svg>';
    expect(responsiveSvg(already)).to.equal(already);
  });

  it("names a chain source by chain, network and block, and a data source by file and date", () => {
    expect(sourceText({ kind: "chain", network: "base", chainId: 8453, block: 123, blockTime: 0, sample: false })).to.equal("chain 8453 (base), block 123 (1970-01-01 00:00 UTC)");
    expect(sourceText({ kind: "data", file: "data/mvrv/uni.csv", asOf: "2022-01-23", sample: false })).to.equal("data/mvrv/uni.csv, data to 2022-01-23");
  });

  describe("#renderReport", () => {
    const chain: Source = { kind: "chain", network: "base", chainId: 8453, block: 99, blockTime: 1_700_000_000, sample: false };
    const product: SsiProductData = {
      product: "MAG7",
      name: "SSI MAG7 Index",
      symbol: "MAG7.ssi",
      vault: "0x0000000000000000000000000000000000000001",
      source: chain,
      totalSupply: 2n * WAD,
      effectiveSupply: 2n * WAD,
      nav: 300n * WAD,
      navPerShare: 150n * WAD,
      paused: true,
      rebalancing: false,
      fee: { rate: WAD / 100n, recipient: "0x0000000000000000000000000000000000000002", pendingShares: 0n, claimedShares: 0n },
      holdings: [
        { symbol: "BTC<script>", token: "0x01", decimals: 8, unitsPerToken: 10n ** 5n, balance: 2n * 10n ** 5n, price: 100_000n * WAD, value: 200n * WAD, target: WAD / 2n },
        { symbol: "ETH", token: "0x02", decimals: 18, unitsPerToken: WAD / 40n, balance: WAD / 20n, price: 2_000n * WAD, value: 100n * WAD, target: undefined },
      ],
      unheldTargets: [{ symbol: "SOL", weight: WAD / 2n }],
      targetsHistory: [{ round: 1, block: 5, time: 1_700_000_000, weights: [{ symbol: "BTC", weight: WAD }] }],
      rebalances: [],
    };
    const specs: Record<string, unknown>[] = [];
    const stub = async (spec: Record<string, unknown>) => {
      specs.push(spec);
      return '<svg width="10" height="10"></svg>';
    };

    it("renders the holdings with weights, targets and drift, escapes names, and marks SAMPLE data files", async () => {
      const input: ReportInput = { title: "t", generatedAt: 1_700_000_000, ssi: [product], sanx: undefined, ussi: undefined, offChain: readOffChain(SAMPLE, true), notes: ["no SANX"] };
      const html = await renderReport(input, stub);
      expect(html).to.contain("BTC&lt;script&gt;").and.not.contain("BTC<script>");
      expect(html).to.contain("66.66%").and.contain("50.00%").and.contain("+16.66%"); // BTC weight, target, drift
      expect(html).to.contain("not a target"); // ETH
      expect(html).to.contain('data-nav="$300.00"').and.contain("<strong data-total>$300.00</strong>");
      expect(html).to.contain("paused by the guardian");
      expect(html).to.contain("Targets not held yet: SOL 50.00%");
      expect(html).to.contain("Source: chain 8453 (base), block 99");
      expect(html).to.contain("sample/mvrv/uni.csv, data to").and.contain('<span class="sample">SAMPLE</span>');
      expect(html).to.contain("No SANX deployment on this chain").and.contain("No USSI deployment on this chain");
      expect(html).to.match(/NAV backtest of the methodology<\/h3>\s*<p class="note">Not available: sample\/marketcap: no month-end in the folder has the 7 eligible assets MAG7 needs \(at most 3 at once\)/);
      // every chart gets the page's colour-blind-safe palette on top of the shared spec
      expect(specs.length).to.be.greaterThan(3);
      for (const s of specs) expect((s["config"] as { range: { category: string[] } }).range.category[0]).to.equal("#0072B2");
    });

    it("says plainly when the data folder cannot support a part, instead of drawing it", async () => {
      const off = readOffChain(path.join(SAMPLE, "funding"), false); // no mvrv/, no funding/ inside
      expect(off.mvrv.ok).to.equal(false);
      expect(off.ussiBacktest.ok).to.equal(false);
      const html = await renderReport({ title: "t", generatedAt: 0, ssi: [], sanx: undefined, ussi: undefined, offChain: off, notes: [] }, stub);
      expect(html).to.match(/MVRV signals per asset<\/h3>\s*<p class="note">Not available: .*expected folders mvrv\/ and marketcap\//);
      expect(html).to.match(/Funding backtest<\/h3>\s*<p class="note">Not available: .*funding does not exist/);
      expect(html).to.not.contain('class="sample"');
    });
  });
});

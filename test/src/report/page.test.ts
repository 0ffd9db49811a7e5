import { expect } from "chai";
import path from "node:path";
import { amount, escapeHtml, pct, usd, usd4 } from "../../../src/report/format";
import { readOffChain } from "../../../src/report/data";
import { renderReport, responsiveSvg, sourceText, type ReportInput } from "../../../src/report/page";
import type { SanxChainData, SsiProductData, Source, UssiChainData } from "../../../src/report/types";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
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

    /** Two settled epochs (deposits; a redemption still awaiting funding, with an instant one) and an open one with a deposit. */
    function ussiData(): UssiChainData {
      const report = (round: number, navPerToken: bigint, settledEpoch: number) => ({
        round,
        block: 10 + round,
        timestamp: 1_700_000_000 + round * 3600,
        nav: 20_000n * navPerToken,
        navPerToken,
        spotValue: 18_000n * WAD,
        perpPnl: -(5n * WAD),
        fundingAccrued: 12n * WAD,
        netDeltaBps: 3n,
        settledEpoch,
      });
      const none = { count: 0, shares: 0n, assets: 0n };
      return {
        source: { ...chain, sample: true },
        vault: "0x0000000000000000000000000000000000000003",
        totalSupply: 20_000n * WAD,
        usdcDecimals: 6,
        paused: false,
        navFresh: true,
        deltaBreachRound: 0,
        limits: { maxNavAge: 86_400, maxNavChangeBps: 50, maxNetDeltaBps: 200, bufferTargetBps: 500, indexHaircutBps: 100, instantCapBps: 100, minRequestUsd: 10n * WAD },
        buffer: { target: 1_000n * USDC, liquid: 1_500n * USDC, reserved: 0n, usdcHeld: 1_600n * USDC, mag7Held: 0n, instantCapacity: 123_450_000n },
        redemptions: { owed: 3_002n * USDC, funded: 2_000n * USDC },
        currentEpoch: 2,
        requestCount: 4,
        epochs: [
          {
            epoch: 0,
            requests: { depositUsdc: 1, depositIndex: 1, redeem: 0 },
            depositUsdc: 10_000n * USDC,
            depositIndex: 150n * WAD,
            redeemShares: 0n,
            settled: { round: 1, block: 11, time: 1_700_003_600, navPerToken: WAD, indexNetPerShare: 1n, sharesMinted: 20_000n * WAD, sharesBurned: 0n, assetsOwed: 0n },
            owedEnd: 0n,
            claimed: { count: 2, ussi: 20_000n * WAD, usdc: 0n, mag7Returned: 0n },
            instant: none,
          },
          {
            epoch: 1,
            requests: { depositUsdc: 0, depositIndex: 0, redeem: 1 },
            depositUsdc: 0n,
            depositIndex: 0n,
            redeemShares: 3_000n * WAD,
            settled: { round: 2, block: 12, time: 1_700_007_200, navPerToken: 10_007n * 10n ** 14n, indexNetPerShare: 0n, sharesMinted: 0n, sharesBurned: 3_000n * WAD, assetsOwed: 3_002n * USDC },
            owedEnd: 3_002n * USDC,
            claimed: { count: 0, ussi: 0n, usdc: 0n, mag7Returned: 0n },
            instant: { count: 1, shares: 100n * WAD, assets: 99_500_000n },
          },
          {
            epoch: 2,
            requests: { depositUsdc: 1, depositIndex: 0, redeem: 0 },
            depositUsdc: 500n * USDC,
            depositIndex: 0n,
            redeemShares: 0n,
            settled: undefined,
            owedEnd: 0n,
            claimed: { count: 0, ussi: 0n, usdc: 0n, mag7Returned: 0n },
            instant: none,
          },
        ],
        fulfilments: [{ block: 12, time: 1_700_007_200, caller: "0x0000000000000000000000000000000000000004", fromBuffer: 2_000n * USDC, assetsIn: 0n, funded: 2_000n * USDC, owed: 3_002n * USDC }],
        reports: [report(1, WAD, 0), report(2, 10_007n * 10n ** 14n, 1)],
        deltaEvents: [],
      };
    }

    it("shows USSI's epochs: each settled epoch's one price, what was requested, settled, claimed and funded, and the open epoch", async () => {
      const u = ussiData();
      const html = await renderReport({ title: "t", generatedAt: 0, ssi: [], sanx: undefined, ussi: u, offChain: readOffChain(path.join(SAMPLE, "funding"), false), notes: [] }, stub);
      const section = html.slice(html.indexOf('<section id="USSI">'), html.indexOf("Funding backtest"));
      // cards: last NAV as of its report, instant capacity with cap and discount, redemptions owed / funded
      expect(section).to.contain("$1.0007 <small>(round 2, valued 2023-11-15 00:13 UTC)</small>");
      expect(section).to.contain("123.45 USDC left this epoch (cap 1.00% of NAV per epoch, at the last NAV less 50 bps)");
      expect(section).to.contain("3,002.00 USDC / 2,000.00 USDC, <span class=\"state bad\">1,002.00 USDC outstanding</span>");
      expect(section).to.contain("1,500.00 USDC of target 1,000.00 USDC (5.00% of NAV)");
      expect(section).to.contain("2: 1 request, settling at the next report's NAV per token");
      // epochs, newest first
      const epochs = section.slice(section.indexOf("data-epochs"));
      const rows = [...epochs.slice(0, epochs.indexOf("</table>")).matchAll(/<tr><th scope="row">(.*?)<\/tr>/g)].map((m) => m[1]!);
      expect(rows).to.have.length(3);
      expect(rows[0]).to.contain("2 (open)").and.contain("not known yet").and.contain("1: 500.00 USDC").and.contain("waiting for the next report").and.contain("0 of 1");
      expect(rows[1]).to.contain("round 2").and.contain("$1.0007").and.contain("1: 3,000 USSI").and.contain("3,000 USSI burned for 3,002.00 USDC");
      expect(rows[1]).to.contain("awaiting 1,002.00 USDC").and.contain("1: 100 USSI for 99.50 USDC");
      expect(rows[2]).to.contain("round 1").and.contain("$1.0000").and.contain("2: 10,000.00 USDC + 150 MAG7.ssi").and.contain("20,000 USSI minted").and.contain("2 of 2: 20,000 USSI");
      // every report says which epoch it settled; the breakdown's cash is NAV less its terms
      expect(section).to.match(/<th scope="row">2<\/th><td>2023-11-15 00:13 UTC<\/td><td>1<\/td><td>\$20,014.00<\/td>/);
      expect(section).to.contain("<td>$2,007.00</td>"); // cash = 20,014 - 18,000 + 5 - 12
      expect(section).to.contain("2,000.00 USDC / 3,002.00 USDC"); // the Fulfilled event
      expect(section).to.contain("Source: chain 8453 (base), block 99").and.contain('<span class="sample">SAMPLE</span>');
    });

    it("shows SANX's accepted signals by asset and day, newest first, with the numbers they claim", async () => {
      const sanx: SanxChainData = {
        source: chain,
        vault: "0x05",
        controller: "0x06",
        redButton: { controller: false, vault: false },
        delayDays: 7,
        reserve: "USDC",
        members: ["UNI"],
        targets: { round: 3, weights: [{ symbol: "UNI", weight: WAD }] },
        pending: [],
        actions: [],
        signalsAccepted: [
          { block: 40, time: 1_700_000_000, symbol: "UNI", zone: "OPPORTUNITY", day: "2023-11-13", mvrv: 8n * 10n ** 17n, threshold: 9n * 10n ** 17n },
          { block: 41, time: 1_700_000_100, symbol: "AAVE<b>", zone: "DANGER", day: "2023-11-14", mvrv: 3n * WAD, threshold: 25n * 10n ** 17n },
        ],
        supply: WAD,
        nav: 0n,
        navPerShare: WAD,
        holdings: [],
      };
      const html = await renderReport({ title: "t", generatedAt: 0, ssi: [], sanx, ussi: undefined, offChain: readOffChain(path.join(SAMPLE, "funding"), false), notes: [] }, stub);
      const rows = [...html.slice(html.indexOf("Signals accepted")).matchAll(/<tr><th scope="row">(.*?)<\/tr>/g)].map((m) => m[1]!);
      expect(rows[0]).to.equal("2023-11-14</th><td>AAVE&lt;b&gt;</td><td>DANGER</td><td>3.0000</td><td>U 2.5000</td><td>block 41, 2023-11-14 22:15 UTC</td>");
      expect(rows[1]).to.contain("2023-11-13</th><td>UNI</td><td>OPPORTUNITY</td><td>0.8000</td><td>L 0.9000</td>");
      expect(html).to.contain("one signal per asset and day, the oracle's replay key; 2 in all");
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

import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import hre from "hardhat";
import {
  SAMPLE_WEIGHTS,
  WAD,
  backtestByYear,
  backtestJson,
  yearJson,
  dailyPriceFn,
  loadDailyPrices,
  loadFundingDir,
  navReport,
  parsePositions,
  parseWeights,
  runBacktest,
} from "../../src/ussi";

const ROOT = resolve(__dirname, "../..");
const SAMPLE = join(ROOT, "sample/funding");
const T = (iso: string): number => Date.parse(iso) / 1000;

/** Runs a task in-process and returns what it wrote to stdout. */
async function runTask(name: string, args: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  process.stdout.write = ((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => chunks.push(a.join(" ") + "\n");
  try {
    await hre.run(name, args);
  } finally {
    process.stdout.write = write;
    console.log = log;
  }
  return chunks.join("");
}

const roundTrip = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe("ussi:backtest task", function () {
  this.timeout(120_000);
  const tmp = mkdtempSync(join(tmpdir(), "ussi-task-"));

  it("prints JSON equal to the pure backtest with the sample weights", async () => {
    const out = await runTask("ussi:backtest", { funding: SAMPLE, json: true });
    const want = backtestJson(runBacktest({ funding: loadFundingDir(SAMPLE, Object.keys(SAMPLE_WEIGHTS)), weights: SAMPLE_WEIGHTS }));
    expect(JSON.parse(out)).to.deep.equal(roundTrip(want));
  });

  it("passes weights, dates, fee, cost, tolerance and buffer through to the pure backtest", async () => {
    const weightsFile = join(tmp, "w.json");
    writeFileSync(weightsFile, JSON.stringify({ BTC: 0.7, SOL: 0.3 }));
    const out = await runTask("ussi:backtest", {
      funding: SAMPLE,
      weights: weightsFile,
      from: "2024-02-01",
      to: "2024-06-30",
      feeBpsPerYear: "75",
      perpCostBps: "4",
      driftTolerance: "0.01",
      buffer: "0.1",
      json: true,
    });
    const weights = parseWeights({ BTC: 0.7, SOL: 0.3 }, "w");
    const want = runBacktest({
      funding: loadFundingDir(SAMPLE, ["BTC", "SOL"]),
      weights,
      from: T("2024-02-01T00:00:00Z"),
      to: T("2024-07-01T00:00:00Z"),
      feeBpsPerYear: 75,
      perpCostBps: 4,
      driftToleranceWad: 10n ** 16n,
      bufferWad: 10n ** 17n,
    });
    const got = JSON.parse(out);
    expect(got).to.deep.equal(roundTrip(backtestJson(want)));
    expect(got.end).to.equal("2024-07-01T00:00:00Z");
    expect(got.totalFeesUsd).to.be.greaterThan(0);
    expect(got.totalPerpCostsUsd).to.be.greaterThan(0);
    // SOL starts 2024-02-15: held only from the March reconstitution
    expect(want.fundingBySymbol["SOL"]).to.not.equal(0n);
  });

  it("uses a daily price path with --prices, equal to the pure backtest", async () => {
    const prices = join(tmp, "prices");
    mkdirSync(prices);
    const rows = ["date,price_usd"];
    for (let d = 0; d < 40; d++)
      rows.push(`${new Date(Date.UTC(2023, 11, 31 + d)).toISOString().slice(0, 10)},${40000 + 500 * Math.sin(d)}`);
    writeFileSync(join(prices, "btc.csv"), rows.join("\n"));
    const weightsFile = join(tmp, "btc.json");
    writeFileSync(weightsFile, JSON.stringify({ BTC: 1 }));
    const got = JSON.parse(
      await runTask("ussi:backtest", { funding: SAMPLE, weights: weightsFile, prices, from: "2024-01-01", to: "2024-02-05", json: true })
    );
    const want = runBacktest({
      funding: loadFundingDir(SAMPLE, ["BTC"]),
      weights: { BTC: WAD },
      from: T("2024-01-01T00:00:00Z"),
      to: T("2024-02-06T00:00:00Z"),
      price: dailyPriceFn(loadDailyPrices(prices, ["BTC"])),
    });
    expect(got).to.deep.equal(roundTrip(backtestJson(want)));
    await expect(runTask("ussi:backtest", { funding: SAMPLE, weights: weightsFile, prices, json: true })).to.be.rejectedWith(
      /no price for BTC dated 2024-02-09 \(the data covers 2023-12-31..2024-02-08\)/
    );
  });

  it("adds one entry per calendar year with --by-year, equal to the pure per-year backtest", async () => {
    const got = JSON.parse(await runTask("ussi:backtest", { funding: SAMPLE, json: true, byYear: true, from: "2024-11-15" }));
    const years = backtestByYear({
      funding: loadFundingDir(SAMPLE, Object.keys(SAMPLE_WEIGHTS)),
      weights: SAMPLE_WEIGHTS,
      from: T("2024-11-15T00:00:00Z"),
    });
    expect(got.byYear).to.deep.equal(roundTrip(years.map(yearJson)));
    expect(got.byYear.map((y: { year: number }) => y.year)).to.deep.equal([2024]);
  });

  it("prints a table with the report rows when --json is not given", async () => {
    const out = await runTask("ussi:backtest", { funding: SAMPLE });
    for (const row of [
      "annualised yield",
      "annualised volatility",
      "maximum drawdown",
      "hedge rebalances on drift",
      "fees (USD)",
      "perp trading costs (USD)",
    ]) {
      expect(out).to.include(row);
    }
  });

  it("writes an SVG of NAV with --plot", async () => {
    const file = join(tmp, "nav.svg");
    await runTask("ussi:backtest", { funding: SAMPLE, json: true, plot: file });
    expect(readFileSync(file, "utf8")).to.match(/^<svg[\s\S]*<path/);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ["--funding is missing", {}, /--funding DIR is required/],
    ["the funding directory does not exist", { funding: join(tmp, "none") }, /not found/],
    ["--drift-tolerance is not a fraction", { funding: SAMPLE, driftTolerance: "2" }, /--drift-tolerance 2 must be below 1/],
    ["--fee-bps-per-year is negative", { funding: SAMPLE, feeBpsPerYear: "-5" }, /--fee-bps-per-year "-5" is not a non-negative/],
    ["--perp-cost-bps is not a number", { funding: SAMPLE, perpCostBps: "abc" }, /--perp-cost-bps "abc"/],
    ["--from is not a date", { funding: SAMPLE, from: "2024-13-01" }, /--from: "2024-13-01" is not a date/],
    ["--to is before --from", { funding: SAMPLE, from: "2024-05-01", to: "2024-04-01" }, /--to 2024-04-01 is before --from/],
    ["the window has no settlement", { funding: SAMPLE, from: "2030-01-01" }, /no settlement/],
    ["--plot is not .svg", { funding: SAMPLE, plot: join(tmp, "x.png") }, /must end in \.svg/],
  ];
  for (const [name, args, re] of bad) {
    it(`fails when ${name}`, async () => {
      let error: Error | undefined;
      try {
        await runTask("ussi:backtest", args);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message ?? "no error").to.match(re);
    });
  }

  it("fails naming the missing file when a weighted symbol has no funding file", async () => {
    const weightsFile = join(tmp, "w2.json");
    writeFileSync(weightsFile, JSON.stringify({ BTC: 0.5, PEPE: 0.5 }));
    await expect(runTask("ussi:backtest", { funding: SAMPLE, weights: weightsFile })).to.be.rejectedWith(/binance_PEPEUSDT\.csv/);
  });

  it("keeps stdout pure JSON when run from the command line", async function () {
    const { stdout } = await promisify(execFile)(
      "npx",
      ["hardhat", "ussi:backtest", "--funding", SAMPLE, "--json", "--from", "2024-03-01", "--to", "2024-03-31"],
      {
        cwd: ROOT,
        env: { ...process.env, CI: "true" },
      }
    );
    const parsed = JSON.parse(stdout);
    expect(parsed.start).to.equal("2024-03-01T00:00:00Z");
    expect(parsed.navSeries).to.have.length.greaterThan(25);
  });

  describe("over ../shared/data/funding", () => {
    const data = join(process.env["SSI_DATA_DIR"] ?? resolve(ROOT, "../shared/data"), "funding");
    it("runs the whole files (or skips without the data)", async function () {
      if (!existsSync(data)) {
        console.log(`      (skipped: ${data} not found; set SSI_DATA_DIR)`);
        this.skip();
      }
      const got = JSON.parse(await runTask("ussi:backtest", { funding: data, json: true }));
      expect(got.start).to.equal("2020-01-01T00:00:00Z");
      expect(got.reconstitutions).to.equal(78);
    });
  });
});

describe("ussi:nav task", function () {
  this.timeout(60_000);
  const tmp = mkdtempSync(join(tmpdir(), "ussi-nav-"));
  const positions = {
    round: 4,
    timestamp: 1_780_000_000,
    supply: "100000",
    cash: "7000",
    fundingAccrued: "120.5",
    assets: {
      BTC: { price: "50000", spot: "2", perp: "-2", entryPrice: "48000" },
      ETH: { price: "3000", spot: "10", perp: "-9", entryPrice: "3100" },
    },
  };
  const file = join(tmp, "positions.json");
  writeFileSync(file, JSON.stringify(positions));

  it("prints the unsigned report equal to navReport", async () => {
    const got = JSON.parse(await runTask("ussi:nav", { positions: file, json: true }));
    const want = navReport(parsePositions(positions, file));
    expect(got.report).to.deep.equal(Object.fromEntries(Object.entries(want).map(([k, v]) => [k, String(v)])));
    expect(got.signed).to.equal(false);
    // ETH +1 coin = $3,000 of 134,020.5 NAV = 224 bps > 200: a hedge rebalance is due
    expect(got.drift).to.deep.equal({ rebalance: true, breaches: ["ETH"], maxDeltaBps: "224" });
  });

  it("fails without --positions and on a malformed file", async () => {
    await expect(runTask("ussi:nav", {})).to.be.rejectedWith(/--positions FILE\.json is required/);
    const badFile = join(tmp, "bad.json");
    writeFileSync(badFile, JSON.stringify({ ...positions, supply: 5 }));
    await expect(runTask("ussi:nav", { positions: badFile })).to.be.rejectedWith(/supply must be a decimal string/);
  });
});

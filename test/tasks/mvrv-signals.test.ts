import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { computeSignals, DEFAULT_PARAMS } from "../../src/mvrv/engine";
import { readMvrvCsv } from "../../src/mvrv/csv";
import { useEnv } from "../../src/env";
import { runTask } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");
const SAMPLE = path.join(ROOT, "sample/mvrv/uni.csv");

/** Runs a task in-process and returns what it wrote to stdout (the shared `runTask`). */
export function runCaptured(name: string, args: Record<string, unknown>): Promise<string> {
  return runTask(hre, name, args);
}

const defaults = { window: "60", halfNeighborhood: "15", kUp: "1.8", kDown: "1.5", minExtrema: "1", json: false };

describe("task mvrv:signals", function () {
  this.timeout(120000);

  it("prints with --json exactly the report of computeSignals (null for undefined thresholds)", async function () {
    const out = await runCaptured("mvrv:signals", { ...defaults, csv: SAMPLE, json: true });
    const parsed = JSON.parse(out);
    expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(computeSignals(readMvrvCsv(SAMPLE), DEFAULT_PARAMS))));
    expect(Object.keys(parsed)).to.deep.equal(["days", "events", "spikes", "dips"]);
    expect(Object.keys(parsed.days[0])).to.deep.equal(["date", "mvrv", "zone", "upper", "lower"]);
    expect(parsed.days[0].upper).to.equal(null);
    expect(Object.keys(parsed.events[0])).to.deep.equal(["date", "zone", "mvrv", "upper", "lower"]);
    expect(Object.keys(parsed.spikes[0])).to.deep.equal(["date", "mvrv", "confirmedOn"]);
  });

  it("passes every parameter through to the engine", async function () {
    const args = { csv: SAMPLE, window: "30", halfNeighborhood: "5", kUp: "1", kDown: "0.5", minExtrema: "2", json: true };
    const parsed = JSON.parse(await runCaptured("mvrv:signals", args));
    const expected = computeSignals(readMvrvCsv(SAMPLE), { window: 30, halfNeighborhood: 5, kUp: 1, kDown: 0.5, minExtrema: 2 });
    expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(expected)));
  });

  it("prints a readable summary without --json and writes an SVG with --plot", async function () {
    const svg = path.join(mkdtempSync(path.join(tmpdir(), "mvrv-")), "uni.svg");
    const out = await runCaptured("mvrv:signals", { ...defaults, csv: SAMPLE, plot: svg });
    expect(out).to.match(/540 days 2023-01-01\.\.2024-06-23/);
    expect(out).to.match(/OPPORTUNITY/);
    expect(readFileSync(svg, "utf8")).to.match(/^<svg[\s\S]*OPPORTUNITY[\s\S]*<\/svg>/);
  });

  const errors: [string, Record<string, unknown>, RegExp][] = [
    ["--csv is missing", {}, /--csv FILE is required/],
    ["the file does not exist", { csv: "nope.csv" }, /file not found: nope\.csv/],
    ["--window is not an integer", { csv: SAMPLE, window: "6.5" }, /--window "6\.5" is not an integer >= 2/],
    ["--k-up is negative", { csv: SAMPLE, kUp: "-1" }, /--k-up "-1" is not a non-negative decimal/],
    ["--half-neighborhood exceeds --window", { csv: SAMPLE, window: "10", halfNeighborhood: "11" }, /must not exceed --window 10/],
    ["--min-extrema is 0", { csv: SAMPLE, minExtrema: "0" }, /--min-extrema "0" is not an integer >= 1/],
  ];
  for (const [name, args, re] of errors) {
    it(`fails with a clear message when ${name}`, async function () {
      let message = "";
      try {
        await runCaptured("mvrv:signals", { ...defaults, ...args });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(re);
    });
  }

  it("names the date of a gap in the CSV", async function () {
    const dir = mkdtempSync(path.join(tmpdir(), "mvrv-"));
    const file = path.join(dir, "gap.csv");
    writeFileSync(file, "date,mvrv\n2021-01-01,1\n2021-01-02,1.1\n2021-01-04,1.2\n");
    let message = "";
    try {
      await runCaptured("mvrv:signals", { ...defaults, csv: file });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/gap before 2021-01-04/);
  });

  it("keeps stdout pure JSON from the command line (--json)", function () {
    const r = spawnSync("npx", ["hardhat", "mvrv:signals", "--csv", SAMPLE, "--json"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status, r.stderr).to.equal(0);
    expect(() => JSON.parse(r.stdout)).not.to.throw();
  });
});

describe("task bench:signals", function () {
  this.timeout(300000);
  it("writes JSON throughput results for the engine and the reference", async function () {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "bench-")), "bench.json");
    const printed = await runCaptured("bench:signals", { out, points: "200000", referencePoints: "300", runs: "1" });
    const json = JSON.parse(readFileSync(out, "utf8"));
    const names = json.results.map((r: { name: string }) => r.name);
    expect(names[0]).to.equal("engine, synthetic series");
    expect(names).to.include("quadratic reference");
    for (const r of json.results) expect(r.pointsPerSecond).to.be.greaterThan(0);
    expect(json.results[0].points).to.equal(200000);
    expect(printed).to.match(/points \/ s/);
    if (existsSync(path.resolve(ROOT, "../shared/data/mvrv")) || useEnv("SSI_DATA_DIR") !== undefined) expect(json.realFiles.length).to.be.greaterThan(0);
  });

  it("fails without --out", async function () {
    let message = "";
    try {
      await runCaptured("bench:signals", { points: "1000", referencePoints: "100", runs: "1" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/--out FILE is required/);
  });
});

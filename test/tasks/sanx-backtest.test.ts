import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runBacktest } from "../../src/sanx/backtest";
import { loadSanxData } from "../../src/sanx/data";
import { parseDay } from "../../src/lib/csv";
import { runCaptured } from "./mvrv-signals.test";

const ROOT = path.resolve(__dirname, "../..");
const SAMPLE = path.join(ROOT, "sample");

describe("task sanx:backtest", function () {
  this.timeout(120000);

  it("prints with --json the backtest of the pure functions, with an actions array", async function () {
    const out = await runCaptured("sanx:backtest", { data: SAMPLE, delay: "3", json: true });
    const parsed = JSON.parse(out);
    const expected = runBacktest(loadSanxData(SAMPLE).assets, { delay: 3 });
    expect(parsed.actions).to.deep.equal(expected.actions);
    expect(parsed.metrics).to.deep.equal(expected.metrics);
    expect(parsed.membership).to.deep.equal(expected.membership);
    for (const a of parsed.actions) {
      expect(Object.keys(a)).to.deep.equal(["date", "asset", "action", "signalDate"]);
      expect(a.date).to.match(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(parsed.actions.map((a: { action: string }) => a.action)).to.include.members(["ADD", "REMOVE"]);
  });

  it("passes --from, --to and --delay through", async function () {
    const args = { data: SAMPLE, from: "2023-03-01", to: "2024-01-31", delay: "5", json: true };
    const parsed = JSON.parse(await runCaptured("sanx:backtest", args));
    const expected = runBacktest(loadSanxData(SAMPLE).assets, { from: parseDay("2023-03-01", "t"), to: parseDay("2024-01-31", "t"), delay: 5 });
    expect([parsed.from, parsed.to, parsed.delay]).to.deep.equal(["2023-03-01", "2024-01-31", 5]);
    expect(parsed.actions).to.deep.equal(expected.actions);
  });

  it("prints the tables without --json and writes an SVG with --plot", async function () {
    const svg = path.join(mkdtempSync(path.join(tmpdir(), "sanx-")), "nav.svg");
    const out = await runCaptured("sanx:backtest", { data: SAMPLE, delay: "3", json: false, plot: svg });
    expect(out).to.match(/universe .*AAVE, COMP, UNI/);
    expect(out).to.match(/buy-and-hold \(mcap\)/);
    expect(readFileSync(svg, "utf8")).to.match(/^<svg[\s\S]*<\/svg>/);
  });

  const errors: [string, Record<string, unknown>, RegExp][] = [
    ["--data is missing", {}, /--data DIR is required/],
    ["--data has no mvrv/ and marketcap/", { data: ROOT + "/src" }, /expected folders mvrv\/ and marketcap\//],
    ["--delay is 0", { data: SAMPLE, delay: "0" }, /--delay "0" is not an integer >= 1/],
    ["--from is not a date", { data: SAMPLE, from: "2023-02-30" }, /--from: "2023-02-30" is not a date/],
    ["--from is after --to", { data: SAMPLE, from: "2023-05-01", to: "2023-04-01" }, /--from 2023-05-01 is after --to 2023-04-01/],
  ];
  for (const [name, args, re] of errors) {
    it(`fails with a clear message when ${name}`, async function () {
      let message = "";
      try {
        await runCaptured("sanx:backtest", { delay: "3", json: false, ...args });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(re);
    });
  }

  it("keeps stdout pure JSON from the command line (--json)", function () {
    const r = spawnSync("npx", ["hardhat", "sanx:backtest", "--data", SAMPLE, "--json"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).actions.length).to.be.greaterThan(0);
  });
});

/**
 * Output files (`--out`, `--plot`): a folder that does not exist is created, a path that cannot be
 * written says why, and every `--plot` takes .svg only (before: "An unexpected error occurred" for a
 * missing folder, and a .png name silently got SVG bytes in two tasks).
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { HardhatPluginError } from "hardhat/plugins";
import { checkOutputPath, writeOutputFile } from "../../tasks/lib/output";
import { expectUserError, runTask } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");
const tmp = () => mkdtempSync(path.join(tmpdir(), "ssi-out-"));

/** The pure tasks that write a chart, with arguments that make them run on the sample data. */
const PLOTTERS: [string, Record<string, unknown>][] = [
  ["mvrv:signals", { csv: path.join(ROOT, "sample/mvrv/uni.csv"), window: "60", halfNeighborhood: "15", kUp: "1.8", kDown: "1.5", minExtrema: "1", json: true }],
  ["sanx:backtest", { data: path.join(ROOT, "sample"), delay: "3", json: true }],
  ["ussi:backtest", { funding: path.join(ROOT, "sample/funding"), json: true }],
];

describe("output files of every task", function () {
  this.timeout(120_000);

  for (const [name, args] of PLOTTERS) {
    it(`${name} --plot creates a folder that does not exist`, async function () {
      const file = path.join(tmp(), "new", "deeper", "chart.svg");
      await runTask(hre, name, { ...args, plot: file });
      expect(readFileSync(file, "utf8")).to.match(/^<svg[\s\S]*<\/svg>/);
    });

    it(`${name} --plot refuses a name that is not .svg, writing nothing`, async function () {
      const dir = tmp();
      await expectUserError(hre, name, { ...args, plot: path.join(dir, "x.png") }, /charts are written as SVG only, so the file name must end in \.svg/);
      expect(readdirSync(dir)).to.deep.equal([]);
    });
  }

  it("says why a folder cannot be created (a file stands in the path)", function () {
    const dir = tmp();
    writeFileSync(path.join(dir, "afile"), "x");
    expect(() => checkOutputPath(path.join(dir, "afile", "sub", "out.json"), "out")).to.throw(HardhatPluginError, /cannot create the folder .*a part of the path is a file/);
  });

  it("refuses a folder as the output file", function () {
    const dir = tmp();
    expect(() => writeOutputFile(dir, "{}", "out")).to.throw(HardhatPluginError, /is a folder; give a file name/);
  });

  it("writes the whole file and leaves no temporary file behind", function () {
    const dir = tmp();
    const file = path.join(dir, "a", "report.json");
    writeOutputFile(file, '{"ok":true}\n');
    expect(readFileSync(file, "utf8")).to.equal('{"ok":true}\n');
    expect(readdirSync(path.join(dir, "a"))).to.deep.equal(["report.json"]);
    expect(existsSync(file)).to.equal(true);
  });
});

import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadUniverseFile } from "../../src/data/universe";
import { compositionToJson, computeIndex, DEFI, MAG7, MEME, WAD } from "../../src/methodology";

const root = path.resolve(__dirname, "../..");
const sample = path.join(root, "sample/universe.json");
const sampleNext = path.join(root, "sample/universe-next.json");

/** Runs a task in-process and returns what it wrote to stdout. */
async function runTask(args: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as any).write = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  try {
    await hre.run("ssi:weights", { json: false, ...args });
  } finally {
    (process.stdout as any).write = write;
  }
  return chunks.join("");
}

async function runError(args: Record<string, unknown>): Promise<Error> {
  try {
    await runTask(args);
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the task to fail");
}

describe("ssi:weights", function () {
  this.timeout(60_000);

  it("MAG7 --json reproduces the methodology worked by hand on the sample universe", async () => {
    const out = JSON.parse(await runTask({ index: "MAG7", universe: sample, json: true }));
    // Eligible top 7 (USDT, 3rd largest, and wrapped tokens excluded): caps in whole USD
    // BTC 2187e9, ETH 521e9, XRP 162e9, BNB 131e9, SOL 102e9, DOGE 34.1e9, ADA 29.3e9; M = 3,166,400,000,000.
    // w_i = 1e17 + floor(3e17 * m_i / M):
    //   ETH  1e17 + floor(1.563e29 / 3.1664e12)   = 149362051541182415
    //   XRP  1e17 + floor(4.86e28 / 3.1664e12)    = 115348660939868620
    //   BNB  112411571500757958, SOL 109663971702880242, DOGE 103230798383021728, ADA 102776023244062657
    //   BTC  1e17 + 207206922688226376 = 307206922688226376; the 7 sum to 1e18 - 4, so BTC gets +4.
    expect(out.index).to.equal("MAG7");
    expect(out.date).to.equal("2026-09-30");
    expect(out.constituents.map((c: any) => [c.symbol, c.rank, c.marketCapUsd, c.weight])).to.deep.equal([
      ["BTC", 1, 2187000000000, "307206922688226380"],
      ["ETH", 2, 521000000000, "149362051541182415"],
      ["XRP", 3, 162000000000, "115348660939868620"],
      ["BNB", 4, 131000000000, "112411571500757958"],
      ["SOL", 5, 102000000000, "109663971702880242"],
      ["DOGE", 6, 34100000000, "103230798383021728"],
      ["ADA", 7, 29300000000, "102776023244062657"],
    ]);
  });

  for (const def of [MAG7, MEME, DEFI]) {
    it(`${def.name} --json with incumbents equals the pure functions and sums to exactly 1e18`, async () => {
      const first = computeIndex(def, loadUniverseFile(sample));
      const incumbents = first.constituents.map((c) => c.symbol);
      const out = JSON.parse(await runTask({ index: def.name, universe: sampleNext, incumbents: incumbents.join(","), json: true }));
      expect(out).to.deep.equal(compositionToJson(computeIndex(def, loadUniverseFile(sampleNext), incumbents)));
      expect(out.constituents.reduce((s: bigint, c: any) => s + BigInt(c.weight), 0n)).to.equal(WAD);
    });
  }

  it("accepts the index and incumbents in any case", async () => {
    const out = JSON.parse(await runTask({ index: "meme", universe: sampleNext, incumbents: "doge, shib", json: true }));
    expect(out.index).to.equal("MEME");
    expect(out.constituents.length).to.equal(10);
  });

  it("prints a table with weights as percentages without --json", async () => {
    const out = await runTask({ index: "MAG7", universe: sample });
    expect(out).to.match(/MAG7 as of 2026-09-30 \(first construction\)/);
    expect(out).to.include("307206922688226380");
    expect(out).to.include("30.7206%"); // 307206922688226380 / 1e16 = 30.72069... rounded down to 4 places
    expect(out).to.include("10.2776%"); // ADA
  });

  describe("argument errors (user-facing, before anything runs)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ssi-weights-"));
    const badJson = path.join(dir, "bad.json");
    writeFileSync(badJson, "{ not json");
    const badField = path.join(dir, "field.json");
    writeFileSync(
      badField,
      JSON.stringify({ date: "2026-09-30", assets: [{ symbol: "BTC", marketCapUsd: "lots", categories: [], stablecoin: false, wrapped: false }] }),
    );
    const tooFew = path.join(dir, "few.json");
    writeFileSync(
      tooFew,
      JSON.stringify({ date: "2026-09-30", assets: [{ symbol: "BTC", marketCapUsd: 1e12, categories: [], stablecoin: false, wrapped: false }] }),
    );

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["an unknown index", { index: "TOP5", universe: sample }, /--index "TOP5" is not one of MAG7, MEME, DEFI/],
      ["a missing file", { index: "MAG7", universe: path.join(dir, "none.json") }, /--universe: file not found/],
      ["malformed JSON", { index: "MAG7", universe: badJson }, /--universe: .*bad\.json is not valid JSON/],
      ["a bad field, named", { index: "MAG7", universe: badField }, /field\.json: assets\[0\]\.marketCapUsd must be a finite number/],
      ["an unknown incumbent", { index: "MAG7", universe: sample, incumbents: "BTC,NOPE" }, /--incumbents: unknown symbol "NOPE"/],
      ["an empty incumbent entry", { index: "MAG7", universe: sample, incumbents: "BTC,,ETH" }, /--incumbents "BTC,,ETH" has an empty entry/],
      ["a repeated incumbent", { index: "MAG7", universe: sample, incumbents: "BTC,btc" }, /--incumbents: "btc" is listed twice/],
      ["fewer than N eligible", { index: "MAG7", universe: tooFew }, /MAG7: only 1 eligible asset\(s\).*needs 7/],
    ];
    for (const [what, args, msg] of cases) {
      it(`fails with a HardhatPluginError for ${what}`, async () => {
        const e = await runError(args);
        expect(e.name).to.equal("HardhatPluginError");
        expect(e.message).to.match(msg);
      });
    }
  });

  it("from the command line with --json, stdout holds only the JSON", async function () {
    const hardhat = path.join(root, "node_modules/.bin/hardhat");
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(hardhat, args, { cwd: root, env: { ...process.env, CI: "true" } }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run(["ssi:weights", "--index", "DEFI", "--universe", "sample/universe.json", "--json"]);
    expect(ok.code).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.equal(compositionToJson(computeIndex(DEFI, loadUniverseFile(sample))));
    const bad = await run(["ssi:weights", "--index", "NOPE", "--universe", "sample/universe.json", "--json"]);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr + bad.stdout).to.match(/--index "NOPE" is not one of MAG7, MEME, DEFI/);
    // a user-facing plugin error, not "An unexpected error occurred" (with CI=true Hardhat itself adds
    // the stack trace to every error, so only the headline is checked)
    expect(bad.stderr).to.match(/Error in plugin ssi:/);
    expect(bad.stderr + bad.stdout).to.not.match(/An unexpected error/);
  });
});

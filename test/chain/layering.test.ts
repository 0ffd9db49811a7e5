/**
 * The layers of the TypeScript (README "Layout"): pure logic in `src/` (no chain library at all), chain
 * operations in `chain/` and the keeper in `keeper/` (no Hardhat: the keeper runs as a plain Node
 * process over an RPC URL), thin Hardhat tasks on top. Checked on the import graph of the sources:
 * every file reachable from `chain/` or `keeper/` through relative imports is free of Hardhat, so a
 * Hardhat import cannot come in through a helper either.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

function sourcesUnder(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map(String)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => path.join(abs, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** Every module specifier a file imports or requires (static, dynamic, `import type`, `export ... from`). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

const isHardhat = (spec: string) => spec === "hardhat" || spec.startsWith("hardhat/") || spec.startsWith("@nomicfoundation/");
const isEthers = (spec: string) => spec === "ethers" || spec.startsWith("ethers/");

function resolveRelative(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + ".ts", path.join(base, "index.ts"), base]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** `file` and every project file it reaches through relative imports (generated TypeChain bindings included). */
function closure(files: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>(); // file -> the import chain that reached it
  const queue: [string, string[]][] = files.map((f) => [f, [path.relative(root, f)]]);
  while (queue.length > 0) {
    const [file, chain] = queue.shift()!;
    if (seen.has(file) || !file.endsWith(".ts")) continue;
    seen.set(file, chain);
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const next = resolveRelative(file, spec);
      if (next !== undefined && !seen.has(next)) queue.push([next, [...chain, path.relative(root, next)]]);
    }
  }
  return seen;
}

describe("layering: src/ is pure, chain/ and keeper/ run without Hardhat", function () {
  it("the import scanner sees every form of import", function () {
    const text = [
      `import hre from "hardhat";`,
      `import type { HardhatRuntimeEnvironment } from "hardhat/types";`,
      `import {\n  a,\n  b,\n} from "@nomicfoundation/hardhat-ethers/signers";`,
      `export { x } from "./x";`,
      `import "hardhat/config";`,
      `const m = await import("ethers");`,
      `const r = require("../y") as typeof import("../z");`,
    ].join("\n");
    expect(specifiers(text)).to.have.members(["hardhat", "hardhat/types", "@nomicfoundation/hardhat-ethers/signers", "./x", "hardhat/config", "ethers", "../y", "../z"]);
  });

  it("chain/ exists and holds the chain operations", function () {
    expect(sourcesUnder("chain").map((f) => path.basename(f))).to.include.members(["client.ts", "deployment.ts", "revert.ts", "ssi.ts", "index.ts"]);
  });

  it("nothing under chain/ or keeper/, nor anything they import, imports Hardhat", function () {
    const offenders: string[] = [];
    for (const [file, chain] of closure([...sourcesUnder("chain"), ...sourcesUnder("keeper")])) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (isHardhat(spec)) offenders.push(`${chain.join(" -> ")} imports "${spec}"`);
      }
    }
    expect(offenders, offenders.join("\n")).to.deep.equal([]);
  });

  it("nothing under src/ imports Hardhat or ethers (pure logic)", function () {
    const offenders: string[] = [];
    for (const file of sourcesUnder("src")) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (isHardhat(spec) || isEthers(spec)) offenders.push(`${path.relative(root, file)} imports "${spec}"`);
      }
    }
    expect(offenders, offenders.join("\n")).to.deep.equal([]);
  });

  it("a plain Node process loads the whole chain layer without loading Hardhat", function () {
    this.timeout(120_000);
    // A separate process: this one runs under Hardhat's test runner, which has Hardhat loaded already.
    const script = [
      `require(${JSON.stringify(path.join(root, "chain"))});`,
      `const hardhat = Object.keys(require.cache).filter((k) => /node_modules[\\/](hardhat|@nomicfoundation)[\\/]/.test(k));`,
      `process.stdout.write(JSON.stringify({ loaded: Object.keys(require.cache).length, hardhat }));`,
    ].join("\n");
    const out = execFileSync(process.execPath, ["-r", "ts-node/register", "-e", script], {
      cwd: root,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
      encoding: "utf8",
    });
    const { loaded, hardhat } = JSON.parse(out) as { loaded: number; hardhat: string[] };
    expect(loaded, "the chain layer was not loaded").to.be.greaterThan(50);
    expect(hardhat, "modules of Hardhat loaded by chain/").to.deep.equal([]);
  });
});

/**
 * `npm run coverage` gate: reads istanbul's json-summary (coverage/coverage-summary.json, written by
 * `hardhat coverage` through .solcover.js) and exits 1 when line or branch coverage of the production
 * contracts is below the thresholds of issue 8 (99% of lines, 95% of branches).
 * Usage: ts-node scripts/check-coverage.ts [summary.json] [--lines 99] [--branches 95]
 */
import { readFileSync } from "node:fs";

interface Pct {
  total: number;
  covered: number;
  pct: number;
}
type Summary = Record<string, { lines: Pct; branches: Pct; functions: Pct; statements: Pct }>;

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!(v >= 0 && v <= 100)) throw new Error(`--${name} must be a percentage, got ${argv[i + 1]}`);
  return v;
}

function main(argv: string[]): number {
  const file = argv.find((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--")) ?? "coverage/coverage-summary.json";
  const min = { lines: arg(argv, "lines", 99), branches: arg(argv, "branches", 95) };
  const summary = JSON.parse(readFileSync(file, "utf8")) as Summary;
  const total = summary.total;
  if (!total) throw new Error(`${file} has no "total" entry: is it istanbul's json-summary?`);
  // Files below either threshold, worst branches first: where the missing tests are.
  const weak = Object.entries(summary)
    .filter(([f, s]) => f !== "total" && (s.lines.pct < min.lines || s.branches.pct < min.branches))
    .sort((a, b) => a[1].branches.pct - b[1].branches.pct);
  for (const [f, s] of weak) {
    console.log(`  ${f.replace(process.cwd() + "/", "")}: lines ${s.lines.pct}% (${s.lines.covered}/${s.lines.total}), branches ${s.branches.pct}% (${s.branches.covered}/${s.branches.total})`);
  }
  let failed = 0;
  for (const k of ["lines", "branches"] as const) {
    const t = total[k];
    const ok = t.pct >= min[k];
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${k}: ${t.pct}% (${t.covered}/${t.total}), required >= ${min[k]}%`);
  }
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`coverage check: ${(e as Error).message}`);
  process.exitCode = 1;
}

/**
 * `npm run gas:check`: compares a fresh `bench:gas` report (default out/gas.json) with the committed
 * snapshot (default snapshots/gas.json) and the ratio targets; exits 1 on any miss.
 * Usage: ts-node scripts/check-gas.ts [measured.json] [snapshot.json] [--tolerance 0.02]
 */
import { readFileSync } from "node:fs";
import { compareGas, DEFAULT_TOLERANCE, type GasReportLike } from "../src/bench/gas-snapshot";

function main(argv: string[]): number {
  const files = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--tolerance");
  const t = argv.indexOf("--tolerance");
  const tolerance = t >= 0 ? Number(argv[t + 1]) : DEFAULT_TOLERANCE;
  const [measuredPath = "out/gas.json", snapshotPath = "snapshots/gas.json"] = files;
  const read = (p: string): GasReportLike => JSON.parse(readFileSync(p, "utf8")) as GasReportLike;
  const findings = compareGas(read(measuredPath), read(snapshotPath), tolerance);
  for (const f of findings) {
    console.log(`${f.ok ? "ok  " : "FAIL"} ${f.figure.padEnd(22)} ${String(f.measured).padStart(9)} vs ${String(f.reference).padStart(9)}  ${f.note}`);
  }
  const failed = findings.filter((f) => !f.ok).length;
  if (failed > 0) {
    console.error(`gas check: ${failed} figure(s) above target or snapshot; if the change is intended, run npm run gas:snapshot and commit snapshots/gas.json`);
    return 1;
  }
  console.log(`gas check: ${findings.length} figures within targets and ${(tolerance * 100).toFixed(1)}% of the snapshot`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`gas check: ${(e as Error).message}`);
  process.exitCode = 1;
}

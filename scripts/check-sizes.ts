/**
 * `npm run check:sizes`: fails when any production contract (artifacts/contracts, not contracts/test)
 * deploys more than 24,576 - 1,536 = 23,040 bytes of code (EIP-170 with 1.5 KiB to spare, issue 8 "Sizes").
 * Run after `hardhat compile`. Prints every contract above 10,000 bytes with its margin.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, sep } from "node:path";

export const EIP170_LIMIT = 24_576;
export const MARGIN = 1_536;
export const MAX_DEPLOYED = EIP170_LIMIT - MARGIN; // 23,040

function artifacts(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return p.endsWith(`${sep}test`) ? [] : artifacts(p);
    return f.endsWith(".json") && !f.endsWith(".dbg.json") ? [p] : [];
  });
}

function main(root = "artifacts/contracts"): number {
  const rows = artifacts(root)
    .map((p) => {
      const a = JSON.parse(readFileSync(p, "utf8")) as { contractName: string; deployedBytecode?: string };
      return { name: a.contractName, bytes: ((a.deployedBytecode ?? "0x").length - 2) / 2 };
    })
    .filter((r) => r.bytes > 10_000)
    .sort((a, b) => b.bytes - a.bytes);
  const over = rows.filter((r) => r.bytes > MAX_DEPLOYED);
  for (const r of rows) {
    const spare = EIP170_LIMIT - r.bytes;
    console.log(`${r.bytes > MAX_DEPLOYED ? "FAIL" : "ok  "} ${r.name.padEnd(24)} ${String(r.bytes).padStart(6)} bytes, ${spare} to the EIP-170 limit (>= ${MARGIN} required)`);
  }
  if (over.length > 0) {
    console.error(`check:sizes: ${over.map((r) => r.name).join(", ")} above ${MAX_DEPLOYED} bytes of deployed code`);
    return 1;
  }
  console.log(`check:sizes: every production contract <= ${MAX_DEPLOYED} bytes`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv[2]);
  } catch (e) {
    console.error(`check:sizes: ${(e as Error).message}; run npx hardhat compile first`);
    process.exitCode = 1;
  }
}

/**
 * The end-to-end demo (`npm run demo` = `hardhat run scripts/demo.ts`, in-process network).
 * Runs the sections in order on one chain; adding a section is one line in SECTIONS.
 * Everything it uses ships in the repo (sample/ is SYNTHETIC sample data).
 */
import hre from "hardhat";
import { createContext, type DemoSection } from "../tasks/lib/scenario/context";
import { ssiSection } from "../tasks/lib/scenario/ssi";
import { rebalanceSection } from "../tasks/lib/scenario/rebalance";
import { sanxSection } from "../tasks/lib/scenario/sanx";
import { ussiSection } from "../tasks/lib/scenario/ussi";
import { zapSection } from "../tasks/lib/scenario/zap";

const SECTIONS: DemoSection[] = [
  ssiSection,
  zapSection,
  rebalanceSection,
  sanxSection,
  ussiSection,
];

async function main(): Promise<void> {
  const started = Date.now();
  const ctx = await createContext(hre);
  ctx.print.line("SSI protocol demo on the in-process Hardhat network (SAMPLE market and data; nothing here is market data)");
  const timings: string[] = [];
  for (const section of SECTIONS) {
    const t0 = Date.now();
    await section.run(ctx);
    timings.push(`${section.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  ctx.print.heading("Summary");
  for (const s of ctx.summary) {
    ctx.print.line(s.section);
    for (const l of s.lines) ctx.print.line(`  ${l}`);
  }
  ctx.print.line();
  for (const t of timings) ctx.print.line(`  ${t}`);
  ctx.print.line(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

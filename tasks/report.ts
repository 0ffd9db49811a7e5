// `report`: the transparency page (issue 12): a static site with every product's live state, history and
// backtests, from the chain of --network (or an in-process chain running the demo's sample scenario).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { SingleBar, Presets } from "cli-progress";
import { fail, userErrors } from "./lib/args";

/** Loaded when the task runs: the chain library imports the TypeChain bindings, absent until the first compile. */
const chain = () => import("../chain/report");

const ROOT = path.join(__dirname, "..");
const SAMPLE_DIR = path.join(ROOT, "sample");

/** A progress bar on a terminal; silent in CI, under a pipe and in tests. */
export interface Progress {
  step(label: string): void;
  stop(): void;
}

export function progress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env["CI"] !== undefined) return { step: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: "report [{bar}] {value}/{total} {label}", stream, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  bar.start(total, 0, { label: "" });
  let done = 0;
  return {
    step(label) {
      done = Math.min(total, done + 1);
      bar.update(done, { label });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * The sample scenario on the in-process chain: the demo's own sections (tasks/lib/scenario: deploy the sample
 * market and the protocol, push weights, mint, one MEME rebalance, SANX signals and actions, USSI reports),
 * run silently. Imported when the task runs, so a fresh clone's first command compiles before TypeChain loads.
 */
async function runSampleScenario(hre: HardhatRuntimeEnvironment, p: Progress): Promise<void> {
  const { createContext } = await import("./lib/scenario/context");
  const sections = [
    (await import("./lib/scenario/ssi")).ssiSection,
    (await import("./lib/scenario/rebalance")).rebalanceSection,
    (await import("./lib/scenario/sanx")).sanxSection,
    (await import("./lib/scenario/ussi")).ussiSection,
  ];
  const silent = { heading: () => undefined, line: () => undefined, table: () => undefined };
  const ctx = await createContext(hre, silent);
  const log = console.log;
  console.log = () => undefined; // the tasks the demo calls (ssi:rebalance) print their own tables
  try {
    for (const s of sections) {
      await s.run(ctx);
      p.step(`sample chain: ${s.name.split(" (")[0]}`);
    }
  } finally {
    console.log = log;
  }
}

interface ReportArgs {
  out?: string;
  data?: string;
}

task("report", "Writes the transparency page (static HTML, inline SVG charts) of every product: live state, history, backtests")
  .addOptionalParam("out", "Folder to write index.html into (created if missing)")
  .addOptionalParam("data", "Folder with mvrv/, marketcap/ and funding/ (e.g. ../shared/data); default: sample/ (SAMPLE data)")
  .setAction(async (args: ReportArgs, hre: HardhatRuntimeEnvironment) =>
    userErrors(async () => {
      if (!args.out) fail("--out DIR is required (the folder index.html is written to)");
      const dataDir = path.resolve(args.data ?? SAMPLE_DIR);
      if (!existsSync(dataDir)) fail(`--data ${args.data}: no such folder`);
      const sample = path.resolve(dataDir) === SAMPLE_DIR;
      const started = Date.now();
      const inProcess = hre.network.name === "hardhat";
      const p = progress((inProcess ? 4 : 0) + 5 + 4 + 5);
      try {
        const lap: [string, number][] = [];
        const mark = (name: string) => lap.push([name, Date.now()]);
        if (inProcess) {
          await runSampleScenario(hre, p);
          mark("sample chain");
        }
        const { chainSource, loadReportRecord, readSanx, readSsiProduct, readUssi } = await chain();
        const provider = hre.ethers.provider;
        const chainId = Number((await provider.getNetwork()).chainId);
        const { record, sanx, ussi } = loadReportRecord(path.join(ROOT, "deployments", `${hre.network.name}.json`), chainId);
        const source = (await chainSource(provider, record, await provider.getBlockNumber())) as Extract<Awaited<ReturnType<typeof chainSource>>, { kind: "chain" }>;
        const ssi = [];
        for (const product of Object.keys(record.products)) {
          ssi.push(await readSsiProduct(provider, record, product, source));
          p.step(`chain: ${product}`);
        }
        const notes: string[] = [];
        const sanxData = sanx === undefined ? undefined : await readSanx(provider, record, sanx, source);
        if (sanx === undefined) notes.push(`deployments/${hre.network.name}.json has no SANX deployment (sanx:deploy).`);
        p.step("chain: SANX");
        const ussiData = ussi === undefined ? undefined : await readUssi(provider, record, ussi, source);
        if (ussi === undefined) notes.push(`deployments/${hre.network.name}.json has no USSI deployment (ussi:deploy).`);
        p.step("chain: USSI");
        mark("chain reads");
        const { readOffChain } = await import("../src/report/data");
        const offChain = readOffChain(dataDir, sample, (l) => p.step(l));
        mark("data");
        const { renderReport } = await import("../src/report/page");
        const { renderSvg } = await import("../src/lib/chart");
        const html = await renderReport(
          { title: "SSI protocol: transparency report", generatedAt: Math.floor(Date.now() / 1000), ssi, sanx: sanxData, ussi: ussiData, offChain, notes },
          renderSvg,
          (l) => p.step(l),
        );
        mkdirSync(args.out, { recursive: true });
        const file = path.join(args.out, "index.html");
        writeFileSync(file, html);
        mark("page and charts");
        p.stop();
        const parts = lap.map(([name, t], i) => `${name} ${((t - (i === 0 ? started : lap[i - 1]![1])) / 1000).toFixed(1)} s`).join(", ");
        console.log(`report written to ${file} (${(html.length / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s (${parts}): ` +
          `chain ${source.chainId} (${source.network}) at block ${source.block}${record.sampleMarket ? ", SAMPLE market" : ""}; data ${path.relative(process.cwd(), dataDir) || dataDir}${sample ? " (SAMPLE)" : ""}`);
      } finally {
        p.stop();
      }
    }),
  );

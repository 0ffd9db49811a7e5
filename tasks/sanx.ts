// sanx:backtest (off-chain replay of METHODOLOGY.md section 5 over daily MVRV and market-cap data),
// and the on-chain SANX tasks: sanx:signals, sanx:push-signals, sanx:execute, sanx:status.
import { existsSync } from "node:fs";
import { writeOutputFile, writePlotFile } from "./lib/output";
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits } from "ethers";
import Table from "cli-table3";
import { renderSvg } from "../src/lib/chart";
import { sanxNavChartSpec } from "../src/sanx/plot";
import { parseDay } from "../src/lib/csv";
import { runBacktest, type BacktestResult, type Metrics } from "../src/sanx/backtest";
import { loadSanxData } from "../src/sanx/data";
import { formatWadPercent } from "../src/methodology/format";
import { parseSignalFile, signalFileToJson } from "../src/sanx/signalFile";
import { fail, parseAddressArg, readJsonArg, userErrors } from "./lib/args";
import type { SanxAddresses, SanxContracts } from "../chain/sanx";
import { clientFromHre } from "./lib/client";

/**
 * The chain libraries are loaded when a task runs, not when Hardhat loads its config: they import
 * the TypeChain bindings, which do not exist on a fresh clone until the first compile.
 */
const chain = () => import("../chain/sanx");
const deployer = () => import("./lib/sanx-deploy");

function dayArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDay(value, `--${name}`);
  } catch (e) {
    fail((e as Error).message);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function metricsTable(r: BacktestResult): string {
  const t = new Table({ head: ["basket", "total return", "volatility (ann., daily simple)", "max drawdown", "turnover"] });
  const row = (name: string, m: Metrics) => [name, pct(m.totalReturn), pct(m.annualisedVolatility), pct(m.maxDrawdown), pct(m.turnover)];
  t.push(row("SANX", r.metrics.sanx), row("buy-and-hold (mcap)", r.metrics.buyHold));
  return t.toString();
}

interface BacktestArgs {
  data?: string;
  from?: string;
  to?: string;
  delay: string;
  json: boolean;
  plot?: string;
}

task("sanx:backtest", "Replays SANX membership (METHODOLOGY.md section 5) over DIR/mvrv and DIR/marketcap against buy-and-hold")
  .addOptionalParam("data", "Folder with mvrv/<symbol>.csv and marketcap/<symbol>.csv (e.g. ../shared/data, or sample for SAMPLE data)")
  .addOptionalParam("from", "First day of the window, YYYY-MM-DD (default: first day every universe asset is tradable)")
  .addOptionalParam("to", "Last day of the window, YYYY-MM-DD (default: last day every universe asset has a row)")
  .addOptionalParam("delay", "Days from a signal to its execution (integer >= 1)", "3")
  .addOptionalParam("plot", "Write an SVG chart of both NAVs with the actions marked")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: BacktestArgs) =>
    userErrors(async () => {
      if (!args.data) fail("--data DIR is required (a folder with mvrv/ and marketcap/, e.g. ../shared/data or sample)");
      if (!/^\d+$/.test(args.delay.trim()) || Number(args.delay) < 1) fail(`--delay "${args.delay}" is not an integer >= 1 (days)`);
      const from = dayArg(args.from, "from");
      const to = dayArg(args.to, "to");
      if (from !== undefined && to !== undefined && from > to) fail(`--from ${args.from} is after --to ${args.to}`);
      const data = loadSanxData(args.data);
      const r = runBacktest(data.assets, { from, to, delay: Number(args.delay) });
      if (args.plot) writePlotFile(args.plot, await renderSvg(sanxNavChartSpec(r)));
      if (args.json) {
        process.stdout.write(JSON.stringify({ ...r, skipped: data.skipped }) + "\n");
        return;
      }
      console.log(`SANX backtest ${r.from}..${r.to}, delay ${r.delay} days; universe (tokens.json "defi" with MVRV and market cap): ${r.universe.join(", ")}`);
      if (data.skipped.length > 0) console.log(`left out: ${data.skipped.map((s) => `${s.symbol} (${s.reason})`).join(", ")}`);
      console.log(`signals in the window: ${r.signals.length}; actions executed: ${r.actions.length}; cancelled: ${r.cancelled.length}; pending at the end: ${r.pendingAtEnd.length}`);
      const a = new Table({ head: ["executed (start of day)", "asset", "action", "signal date"] });
      for (const x of r.actions) a.push([x.date, x.asset, x.action, x.signalDate]);
      console.log(a.toString());
      const m = new Table({ head: ["from", "members"] });
      for (const x of r.membership) m.push([x.date, x.members.length > 0 ? x.members.join(", ") : "(reserve: USD stablecoin)"]);
      console.log(m.toString());
      console.log(metricsTable(r));
      console.log("Trades at the previous day's close (Coin Metrics price of day d-1 = 00:00 UTC of d); turnover = sum of one-way traded value / NAV.");
      if (args.plot) console.log(`chart written to ${args.plot}`);
    }),
  );

// ---------------------------------------------------------------------------------------------
// On chain: sanx:signals, sanx:push-signals, sanx:execute, sanx:status
// ---------------------------------------------------------------------------------------------

interface AddressArgs {
  signalOracle?: string;
  basket?: string;
}

function addressOverrides(args: AddressArgs): Partial<SanxAddresses> {
  const out: Partial<SanxAddresses> = {};
  if (args.signalOracle !== undefined) out.signalOracle = parseAddressArg(args.signalOracle, "signal-oracle");
  if (args.basket !== undefined) out.basket = parseAddressArg(args.basket, "basket");
  return out;
}

async function sanxOn(hre: HardhatRuntimeEnvironment, args: AddressArgs): Promise<SanxContracts> {
  const { connectSanx, sanxAddresses } = await chain();
  return connectSanx(clientFromHre(hre), sanxAddresses(hre.network.name, addressOverrides(args)));
}

const pctWad = (w: bigint | string): string => formatWadPercent(BigInt(w));

interface SignalsTaskArgs extends AddressArgs {
  data?: string;
  out?: string;
  from?: string;
}

task("sanx:signals", "Runs the MVRV engine over every SANX-universe asset in DIR/mvrv and writes quorum-signed signals (latest per asset, or all since --from)")
  .addOptionalParam("data", "Folder with mvrv/<symbol>.csv (e.g. sample, or ../shared/data)")
  .addOptionalParam("out", "Where to write the signed signals (JSON)", "sanx-signals.json")
  .addOptionalParam("from", "Sign every signal dated on or after this day (YYYY-MM-DD) instead of only the latest per asset")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .setAction(async (args: SignalsTaskArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (!args.data) fail("--data DIR is required (a folder with mvrv/<symbol>.csv, e.g. sample)");
      if (!existsSync(path.join(args.data, "mvrv"))) fail(`--data ${args.data}: no mvrv/ folder inside it`);
      if (!args.out) fail("--out FILE must not be empty");
      const fromDay = dayArg(args.from, "from");
      const c = await sanxOn(hre, args);
      const { signSignals } = await chain();
      const { file, skipped } = await signSignals(client, c, { dataDir: args.data, ...(fromDay !== undefined ? { fromDay } : {}) });
      writeOutputFile(args.out, JSON.stringify(signalFileToJson(file), null, 2) + "\n");
      const t = new Table({ head: ["asset", "signal date", "zone", "mvrv", "threshold", "day (replay key)"] });
      for (const s of file.signals) t.push([s.symbol, s.date, s.zone, formatUnits(s.signal.mvrv, 18), formatUnits(s.signal.threshold, 18), s.signal.day.toString()]);
      console.log(`${file.signals.length} signal(s) signed for SignalOracle ${file.domain.verifyingContract} (chain ${file.domain.chainId}), written to ${args.out}`);
      if (file.signals.length > 0) console.log(t.toString());
      if (fromDay === undefined) {
        console.log(
          "Signed only each asset's LATEST signal (the default): it is the one that can still change membership now; an earlier " +
            "signal of the same asset relayed after it would be recorded as out of order and ignored. Nothing is used up for other " +
            "days (the oracle keys signals by asset and day), so to replay a history sign it with --from DATE and relay it in date order.",
        );
      }
      for (const s of skipped) console.log(`left out ${s.symbol}: ${s.reason}`);
    }),
  );

interface SignOneArgs extends AddressArgs {
  data?: string;
  from?: string;
  signals?: string;
  account?: string;
  out?: string;
}

task("sanx:sign-signals", "ONE signer signs SANX signals on its own machine (computed from --data, or another signer's file) and writes its signature file (the relay merges them: sanx:push-signals --signatures)")
  .addOptionalParam("data", "Compute the signals from DIR/mvrv (the proposer), as sanx:signals does; not with --signals")
  .addOptionalParam("from", "With --data: every signal dated on or after this day (YYYY-MM-DD) instead of only the latest per asset")
  .addOptionalParam("signals", "Sign the signals of this file: another signer's signature file; not with --data")
  .addOptionalParam("account", "Local networks without SIGNALS_SIGNER_KEY/ORACLE_SIGNER_KEY: the local account that signs")
  .addOptionalParam("out", "The signature file to write (required)")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .setAction(async (args: SignOneArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if ((args.data === undefined) === (args.signals === undefined)) fail("give exactly one of --data DIR (compute and sign the signals) or --signals FILE (sign another signer's signals)");
      if (!args.out) fail("--out FILE is required (the signature file to write)");
      if (args.signals !== undefined && args.from !== undefined) fail("--from chooses signals computed from --data: drop it with --signals");
      if (args.data !== undefined && !existsSync(path.join(args.data, "mvrv"))) fail(`--data ${args.data}: no mvrv/ folder inside it`);
      const c = await sanxOn(hre, args);
      const lib = await chain();
      const { oneSigner } = await import("../chain/ssi");
      const signer = await oneSigner(client, "signals", args.account);
      let signals;
      if (args.data !== undefined) {
        const fromDay = dayArg(args.from, "from");
        const { toSign, skipped } = await lib.chooseSignals(client, c, { dataDir: args.data, ...(fromDay !== undefined ? { fromDay } : {}) });
        for (const s of skipped) console.log(`left out ${s.symbol}: ${s.reason}`);
        signals = await lib.unsignedSignals(client, c, toSign);
      } else {
        const { readSignatureFiles } = await import("../chain/quorum");
        signals = lib.signalsOfFiles(readSignatureFiles([args.signals!]));
      }
      const bundle = await lib.signSignalsOne(client, c, signals, signer, (l) => console.log(l));
      writeOutputFile(args.out, JSON.stringify({ _comment: "one signer's signatures of SANX signals: relay with sanx:push-signals --signatures DIR", ...bundle }, null, 2) + "\n");
      console.log(
        `${bundle.files.length} signature(s) of ${bundle.files[0]!.signer} written to ${args.out}; other signers: sanx:sign-signals --signals ${args.out} --out FILE; the relay: sanx:push-signals --signatures FILES|DIR`,
      );
    }),
  );

interface PushTaskArgs extends AddressArgs {
  file?: string;
  signatures?: string;
  sign?: boolean;
  account?: string;
  json: boolean;
}

task("sanx:push-signals", "Relays signed SANX signals to the SignalOracle, or merges signature files (sanx:sign-signals) and relays once every signal has its quorum; reports accepted / ignored / refused per signal")
  .addOptionalParam("file", "Signed signals written by sanx:signals (or --signatures)")
  .addOptionalParam("signatures", "Signature files written by sanx:sign-signals, comma-separated files and/or directories; relays once every signal has the quorum")
  .addFlag("sign", "With --signatures: the relay adds its own signatures with its one key (SIGNALS_SIGNER_KEY / ORACLE_SIGNER_KEY, or --account on a local network)")
  .addOptionalParam("account", "With --sign on a local network: the local account that signs")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: PushTaskArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (args.file !== undefined && args.signatures !== undefined) fail("give either --file FILE (signed signals) or --signatures FILES|DIR (signature files), not both");
      if (args.sign === true && args.signatures === undefined) fail("--sign adds the relay's signatures to --signatures FILES|DIR");
      let results;
      if (args.signatures !== undefined) {
        const c = await sanxOn(hre, args);
        const lib = await chain();
        const { readSignatureFiles } = await import("../chain/quorum");
        const files = readSignatureFiles(args.signatures.split(",").map((x) => x.trim()).filter((x) => x.length > 0));
        if (args.sign === true) {
          const { oneSigner } = await import("../chain/ssi");
          const info = (l: string) => (args.json ? console.error(l) : console.log(l));
          const signals = lib.signalsOfFiles(files);
          const unique = [...new Map(signals.map((x) => [Object.values(x.signal).map(String).join("/"), x])).values()];
          const own = await lib.signSignalsOne(client, c, unique, await oneSigner(client, "signals", args.account), info);
          own.files.forEach((file, i) => files.push({ source: `the relay's own signature ${i + 1}`, file }));
        }
        const r = await lib.relaySignalSignatures(client, c, files);
        if (!args.json) console.log(`merged ${files.length} signature(s): ${r.signers.length} distinct signer(s) ${r.signers.join(", ")}`);
        results = r.results;
      } else {
        const file = parseSignalFile(readJsonArg(args.file, "file"), args.file!);
        const c = await sanxOn(hre, args);
        results = await (await chain()).pushSignals(client, c, file);
      }
      if (args.json) {
        process.stdout.write(JSON.stringify({ results }) + "\n");
        return;
      }
      const t = new Table({ head: ["asset", "signal date", "zone", "outcome", "detail"] });
      for (const r of results) t.push([r.symbol, r.date, r.zone, r.outcome, r.detail]);
      console.log(t.toString());
      const n = (o: string) => results.filter((r) => r.outcome === o).length;
      console.log(`${n("accepted")} accepted, ${n("ignored")} ignored, ${n("refused")} refused (refused signals were not sent)`);
    }),
  );

interface SignWeightsArgs extends AddressArgs {
  data?: string;
  universe?: string;
  report?: string;
  account?: string;
  out?: string;
}

task("sanx:sign-weights", "ONE WeightOracle signer signs the SANX gate's next weight report (after sanx:execute executed the due actions) and writes a signature file; sanx:execute --signatures pushes it once m are there")
  .addOptionalParam("data", "Market caps from the latest rows of DIR/marketcap/<symbol>.csv")
  .addOptionalParam("universe", "Market caps from a universe file instead (e.g. sample/universe.json)")
  .addOptionalParam("report", "Sign this proposed report (another signer's signature file), after checking the market caps give it")
  .addOptionalParam("account", "Local networks without WEIGHTS_SIGNER_KEY/ORACLE_SIGNER_KEY: the local account that signs")
  .addOptionalParam("out", "The signature file to write (required)")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .setAction(async (args: SignWeightsArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if ((args.data === undefined) === (args.universe === undefined)) fail("give exactly one of --data DIR or --universe FILE: the market caps the weights come from (the signer recomputes them)");
      if (!args.out) fail("--out FILE is required (the signature file to write)");
      if (args.universe !== undefined && !existsSync(args.universe)) fail(`--universe: file not found: ${args.universe}`);
      if (args.data !== undefined && !existsSync(path.join(args.data, "marketcap"))) fail(`--data ${args.data}: no marketcap/ folder inside it`);
      const lib = await chain();
      const caps = lib.loadMarketCaps({ ...(args.data !== undefined ? { dataDir: args.data } : {}), ...(args.universe !== undefined ? { universeFile: args.universe } : {}) });
      const c = await sanxOn(hre, args);
      let proposed;
      if (args.report !== undefined) {
        const { parseSignedReport } = await import("../chain/weight-reports");
        const raw = readJsonArg(args.report, "report") as Record<string, unknown>;
        proposed = parseSignedReport({ report: raw["report"], domain: raw["domain"], signatures: [] }, args.report).report;
      }
      const { oneSigner } = await import("../chain/ssi");
      const file = await lib.signSanxWeights(client, c, caps, await oneSigner(client, "weights", args.account), proposed, (l) => console.log(l));
      writeOutputFile(args.out, JSON.stringify({ _comment: "one signer's signature of the SANX weight report: push with sanx:execute --signatures DIR", ...file }, null, 2) + "\n");
      console.log(`signature of ${file.signer} written to ${args.out}; other signers: sanx:sign-weights --report ${args.out} --data DIR --out FILE; then: sanx:execute --data DIR --signatures DIR`);
    }),
  );

interface ExecuteTaskArgs extends AddressArgs {
  data?: string;
  universe?: string;
  signatures?: string;
  sign?: boolean;
  account?: string;
  rebalance: boolean;
  json: boolean;
}

task("sanx:execute", "Executes every due SANX action, then pushes the new target weights (signed) through the gate; with --rebalance, trades the vault to them")
  .addOptionalParam("data", "Market caps from the latest rows of DIR/marketcap/<symbol>.csv")
  .addOptionalParam("universe", "Market caps from a universe file instead (e.g. sample/universe.json)")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .addFlag("rebalance", "Then trade the vault to its targets through its Rebalancer (what ssi:rebalance --index SANX does)")
  .addOptionalParam("signatures", "One key per signer: push the weight report the signature files (sanx:sign-weights) sign, once m are there, instead of signing it here; comma-separated files and/or directories")
  .addFlag("sign", "With --signatures: the keeper adds its own signature of the weight report with its one key (WEIGHTS_SIGNER_KEY / ORACLE_SIGNER_KEY, or --account on a local network)")
  .addOptionalParam("account", "With --sign on a local network: the local account that signs")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: ExecuteTaskArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (args.data === undefined && args.universe === undefined) fail("give --data DIR or --universe FILE: the market caps for the new weights");
      if (args.data !== undefined && args.universe !== undefined) fail("give only one of --data and --universe");
      if (args.universe !== undefined && !existsSync(args.universe)) fail(`--universe: file not found: ${args.universe}`);
      if (args.data !== undefined && !existsSync(path.join(args.data, "marketcap"))) fail(`--data ${args.data}: no marketcap/ folder inside it`);
      const { loadMarketCaps, executeDue, rebalanceSanx } = await chain();
      const caps = loadMarketCaps({ ...(args.data !== undefined ? { dataDir: args.data } : {}), ...(args.universe !== undefined ? { universeFile: args.universe } : {}) });
      const c = await sanxOn(hre, args);
      let signatureFiles;
      if (args.signatures !== undefined) {
        const { readdirSync, statSync } = await import("node:fs");
        const { readSignatureFiles } = await import("../chain/quorum");
        const paths = args.signatures.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
        for (const p of paths) if (!existsSync(p)) fail(`--signatures: ${p}: no such file or directory`);
        // Empty directories are the normal start of a round (nothing signed yet): the report then waits.
        const empty = paths.every((p) => statSync(p).isDirectory() && !readdirSync(p).some((f) => f.endsWith(".json")));
        signatureFiles = empty ? [] : readSignatureFiles(paths);
      }
      if (args.sign === true && signatureFiles === undefined) fail("--sign adds the keeper's signature to --signatures DIR|FILES");
      const ownSigner = args.sign === true ? await (await import("../chain/ssi")).oneSigner(client, "weights", args.account) : undefined;
      const r = await executeDue(client, c, caps, {
        ...(signatureFiles !== undefined ? { signatureFiles } : {}),
        ...(ownSigner !== undefined ? { ownSigner, log: (l: string) => (args.json ? console.error(l) : console.log(l)) } : {}),
      });
      const info = (l: string) => (args.json ? console.error(l) : console.log(l));
      const rebalance = async () => {
        if (!args.rebalance) return undefined;
        if (r.weightsPending !== undefined) return { status: "skipped" as const, reason: "the new weight report waits for its signatures: no trading to the old targets" };
        if (r.paused) return { status: "skipped" as const, reason: "the red button is pressed (controller paused): no trading" };
        if (!args.json) console.log("\n== rebalance (ssi:rebalance --index SANX) ==");
        return rebalanceSanx(client, c, { json: args.json, log: info });
      };
      if (args.json) {
        const rb = await rebalance();
        process.stdout.write(JSON.stringify({ ...r, ...(rb === undefined ? {} : { rebalance: rb.status === "skipped" ? rb : rb.json }) }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
        return;
      }
      const printSkipped = (rb: Awaited<ReturnType<typeof rebalance>>) => {
        if (rb?.status === "skipped") console.log(`rebalance skipped: ${rb.reason}`);
      };
      if (r.paused) {
        console.log(`the red button is pressed (controller paused): nothing executed; ${r.notDue.filter((p) => p.due).length} action(s) are due`);
        printSkipped(await rebalance());
        return;
      }
      if (r.weightsPending !== undefined) {
        for (const e of r.executed) console.log(`executed ${e.kind} ${e.symbol} (signal ${e.signalDate}, due ${e.dueIso}) tx ${e.txHash}`);
        const p = r.weightsPending;
        console.log(
          `weight report round ${p.round} not pushed: ${p.reason} (${p.signers.length} of ${p.quorum}${p.signers.length ? `: ${p.signers.join(", ")}` : ""}); ` +
            `each signer runs sanx:sign-weights --data DIR (the first) or --report FILE (the others) --out FILE, then run sanx:execute --signatures DIR again`,
        );
        printSkipped(await rebalance());
        return;
      }
      if (r.executed.length === 0 && r.weights === undefined) {
        const next = r.notDue[0];
        console.log(`nothing due${next ? `; next: ${next.kind} ${next.symbol} at ${next.dueIso}` : "; no pending action"}`);
        printSkipped(await rebalance());
        return;
      }
      for (const e of r.executed) console.log(`executed ${e.kind} ${e.symbol} (signal ${e.signalDate}, due ${e.dueIso}) tx ${e.txHash}`);
      if (r.weights) {
        const w = r.weights;
        console.log(`new targets (${w.kind}${w.added.length ? `, added ${w.added.join(", ")}` : ""}${w.removed.length ? `, removed ${w.removed.join(", ")}` : ""}), round ${w.round}, tx ${w.txHash}`);
        const before = new Map(w.current.map((x) => [x.asset, x.weight]));
        const t = new Table({ head: ["asset", "before", "target"] });
        for (const x of w.targets) t.push([x.asset, before.has(x.asset) ? pctWad(before.get(x.asset)!) : "-", pctWad(x.weight)]);
        for (const x of w.current) if (!w.targets.some((y) => y.asset === x.asset)) t.push([x.asset, pctWad(x.weight), "-"]);
        console.log(t.toString());
        if (!args.rebalance) console.log(`(to trade to the targets: npx hardhat ssi:rebalance --index SANX --network ${hre.network.name}, or sanx:execute --rebalance)`);
      }
      printSkipped(await rebalance());
    }),
  );

interface StatusTaskArgs extends AddressArgs {
  json: boolean;
}

task("sanx:status", "SANX members, current targets, pending actions with due times, pause state")
  .addOptionalParam("signalOracle", "SignalOracle address (default: deployments/<network>.json)")
  .addOptionalParam("basket", "SanxBasket address (default: deployments/<network>.json)")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: StatusTaskArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await sanxOn(hre, args);
      const s = await (await chain()).readStatus(client, c);
      if (args.json) {
        process.stdout.write(JSON.stringify(s) + "\n");
        return;
      }
      console.log(`SANX on ${hre.network.name} at ${new Date(s.now * 1000).toISOString()}: basket ${s.basket}, vault ${s.vault}, delay ${s.delayDays} days`);
      console.log(`red button: controller ${s.paused.controller ? "PAUSED" : "live"}, vault ${s.paused.vault ? "PAUSED (mint stopped, redeem open)" : "live"}`);
      console.log(`members: ${s.members.length > 0 ? s.members.map((m) => m.symbol).join(", ") : `none (holds the reserve ${s.reserve.symbol})`}`);
      const t = new Table({ head: ["target", "weight"] });
      for (const e of s.targets.entries) t.push([e.symbol, pctWad(e.weight)]);
      console.log(`targets round ${s.targets.round}${s.targetsDue ? " (a weight report is DUE: run sanx:execute)" : ""}`);
      if (s.targets.entries.length > 0) console.log(t.toString());
      if (s.pending.length === 0) console.log("pending actions: none");
      else {
        const p = new Table({ head: ["asset", "action", "signal date", "due at (UTC)", "due now"] });
        for (const x of s.pending) p.push([x.symbol, x.kind, x.signalDate, x.dueIso, x.due ? "yes" : "no"]);
        console.log(p.toString());
      }
    }),
  );

interface DeployTaskArgs {
  reserve: string;
}

task("sanx:deploy", "Deploys SANX (SignalOracle, SanxController, SanxBasket gate, SANX IndexVault and its Rebalancer) over the SSI deployment; adds `sanx` to deployments/<network>.json")
  .addOptionalParam("reserve", "Symbol of the reserve asset the empty basket holds (a token of the market)", "USDC")
  .addFlag("allowEoaAdmin", "testnets only: accept a plain key or the deployer as timelock proposer/executor, guardian, keeper or fee recipient (warned loudly and recorded)")
  .setAction(async (args: DeployTaskArgs & { allowEoaAdmin?: boolean }, hre) =>
    userErrors(async () => {
      if (!/^[A-Za-z0-9.]{1,16}$/.test(args.reserve)) fail(`--reserve "${args.reserve}" is not a token symbol`);
      const { deploySanx } = await deployer();
      const record = await deploySanx(hre, { reserve: args.reserve, allowEoaAdmin: args.allowEoaAdmin === true, log: (l) => console.log(l) });
      const t = new Table({ head: ["SANX contract", "address"] });
      t.push(["SignalOracle", record.sanx.signalOracle], ["SanxController", record.sanx.controller], ["SanxBasket (gate)", record.sanx.basket], ["SANX IndexVault", record.sanx.vault], ["SANX Rebalancer", record.sanx.rebalancer]);
      console.log(t.toString());
      for (const w of record.sanx.warnings ?? []) console.log(`!!! ${w}`);
      if (record.sanx.timelock !== undefined) console.log(`admin: TimelockController ${record.sanx.timelock.address}, delay ${record.sanx.timelock.minDelay} s; proposers ${record.sanx.timelock.proposers.join(", ")}; cancellers ${record.sanx.timelock.cancellers.join(", ")}`);
      console.log(`next: npx hardhat sanx:execute --network ${hre.network.name} --data sample   (pushes the reserve target), then sanx:signals / sanx:push-signals`);
    }),
  );

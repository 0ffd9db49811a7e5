/**
 * `keeper:run`: the keeper (keeper/start.ts) over the Hardhat network chosen with --network. The
 * sending account is KEEPER_KEY when set, else the network's account that is the deployment's keeper
 * (on localhost, the node's account 2), else its first (DEPLOYER_KEY on a testnet). Thin: parse, build the client, call the keeper.
 * The config file is `--keeper-config FILE` here (Hardhat itself owns `--config`), `--config FILE` in
 * the plain Node entry (keeper/main.ts).
 */
import { Wallet } from "ethers";
import { task, types } from "hardhat/config";
import Table from "cli-table3";
import { SingleBar, Presets } from "cli-progress";
import { fail, userErrors } from "./lib/args";
import { checkOutputPath, writeOutputFile } from "./lib/output";
import { useEnv } from "../src/env";
// Everything that reaches TypeChain's bindings (the keeper, its products, the chain layer) is imported in
// the actions: Hardhat loads this file with its config, before a fresh clone has compiled anything.

interface KeeperRunArgs {
  once: boolean;
  dryRun: boolean;
  keeperConfig?: string;
  jsonLogs: boolean;
  metricsPort?: number;
}

task("keeper:run", "Keeps every configured product current: due weights, signals, NAV reports, SANX actions, fees, rebalances (see README \"Keeper\")")
  .addFlag("once", "One pass over what is due; exit code 1 when some due work could not finish")
  .addFlag("dryRun", "Simulate every step and log what would be sent; send nothing")
  // Hardhat owns --config (its own config file): the keeper's is --keeper-config (or KEEPER_CONFIG).
  .addOptionalParam("keeperConfig", "The keeper config (JSON; keeper/examples/ has one for the local sample market); default: KEEPER_CONFIG, else every default and no product", undefined, types.string)
  .addFlag("jsonLogs", "One JSON object per log line on stdout (for log collectors)")
  .addOptionalParam("metricsPort", "Serve Prometheus /metrics and /health on 127.0.0.1:PORT", undefined, types.int)
  .setAction(async (args: KeeperRunArgs, hre) =>
    userErrors(async () => {
      if (args.metricsPort !== undefined && (args.metricsPort < 0 || args.metricsPort > 65535)) fail(`--metrics-port must be a port number (0-65535), not ${args.metricsPort}`);
      if (hre.network.name === "hardhat") {
        console.error('keeper:run on the in-process "hardhat" network keeps a chain that ends with this command: use --network localhost (npx hardhat node) or a testnet');
      }
      const { clientFromHre } = await import("./lib/client");
      const { loadDeployment } = await import("../chain/deployment");
      const { startKeeper } = await import("../keeper/start");
      const { keeperKey } = await import("../keeper/main");
      const client = clientFromHre(hre);
      const sender = useEnv("KEEPER_KEY") !== undefined ? new Wallet(keeperKey(), hre.ethers.provider) : undefined;
      const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
      const code = await startKeeper(client, () => loadDeployment(hre.network.name, chainId), {
        sender,
        once: args.once,
        dryRun: args.dryRun,
        configFile: args.keeperConfig ?? useEnv("KEEPER_CONFIG"),
        jsonLogs: args.jsonLogs,
        metricsPort: args.metricsPort,
      });
      if (code !== 0) process.exitCode = code;
      return code;
    }),
  );

/**
 * `bench:keeper --out FILE [--days N]`: the real keeper over HTTP (the in-process chain served by
 * tasks/lib/rpc-bridge.ts) catching up N simulated days for all five products on the SAMPLE market:
 * days caught up per minute, gas per product per 30-day month, RPC requests of an idle tick (counted by
 * the bridge), and duplicates (work completed twice plus the keeper's transactions that reverted on chain).
 */
task("bench:keeper", "Keeper catch-up speed, gas per product per month and RPC requests per idle tick, on the SAMPLE market")
  .addOptionalParam("out", "Write the JSON report to this file", undefined, types.string)
  .addOptionalParam("days", "Simulated days to catch up", 62, types.int)
  .addFlag("json", "Print only the JSON report on stdout")
  .setAction(async (args: { out?: string; days: number; json: boolean }, hre) =>
    userErrors(async () => {
      if (hre.network.name !== "hardhat") fail(`bench:keeper runs on the in-process "hardhat" network, not "${hre.network.name}"`);
      if (!Number.isInteger(args.days) || args.days < 1 || args.days > 1000) fail(`--days must be a whole number of days from 1 to 1000, not ${args.days}`);
      if (args.out) checkOutputPath(args.out);
      const { deploySimStack, simulate } = await import("./lib/keeper-sim");
      const { silentLogger } = await import("../keeper/log");
      const stack = await deploySimStack(hre);
      try {
        const bar = !args.json && process.stderr.isTTY ? new SingleBar({ format: "catching up [{bar}] {value}/{total} days", stream: process.stderr, clearOnComplete: true }, Presets.shades_classic) : undefined;
        bar?.start(args.days, 0);
        const sim = await simulate(stack, args.days, silentLogger(), (d) => bar?.update(d));
        bar?.stop();
        // An idle tick: nothing due (same chain time, everything done), counted at the bridge. One tick first
        // settles what fell due at the last simulated moment (a NAV report due a day after the previous one).
        await sim.keeper.tick();
        stack.bridge.reset();
        const idle = await sim.keeper.tick();
        const idleRequests = stack.bridge.total();
        const idleByMethod = Object.fromEntries([...stack.bridge.counts].sort((a, b) => b[1] - a[1]));
        const months = args.days / 30;
        const gasPerProductMonth = Object.fromEntries((["MAG7", "MEME", "DEFI", "SANX", "USSI"] as const).map((p) => [p, Math.round(Number(sim.gasByProduct[p] ?? 0n) / months)]));
        const failures = sim.ticks.flatMap((t) => t.results.filter((r) => !["done", "progressed", "skipped", "dry-run"].includes(r.outcome)).map((r) => `${r.key}: ${r.outcome}${r.words ? ` (${r.words})` : ""}`));
        const report = {
          daysPerMinute: Math.round((args.days / (sim.seconds / 60)) * 10) / 10,
          gasPerProductMonth,
          rpcRequestsPerTick: idleRequests,
          duplicates: sim.doneTwice.length + sim.revertedTxs,
          days: args.days,
          seconds: Math.round(sim.seconds * 10) / 10,
          transactions: sim.ticks.reduce((n, t) => n + t.results.reduce((m, r) => m + r.txs, 0), 0),
          idleTick: { ok: idle.ok, sent: idle.results.reduce((n, r) => n + r.txs, 0), byMethod: idleByMethod },
          doneTwice: sim.doneTwice,
          revertedTransactions: sim.revertedTxs,
          failures,
        };
        const json = JSON.stringify(report, null, 2);
        if (args.out) writeOutputFile(args.out, json + "\n");
        if (args.json) {
          console.log(json);
          return report;
        }
        const table = new Table({ head: ["measure", "value"] });
        table.push(["simulated days caught up per minute", String(report.daysPerMinute)], ...Object.entries(gasPerProductMonth).map(([p, g]) => [`gas per 30-day month: ${p}`, g.toLocaleString("en-US")]), ["RPC requests per idle tick", String(idleRequests)], ["duplicates", String(report.duplicates)], ["days / seconds / transactions", `${args.days} / ${report.seconds} / ${report.transactions}`]);
        console.log(table.toString());
        if (failures.length > 0) console.log(`work that did not finish in its tick (${failures.length}):\n  ${failures.slice(0, 20).join("\n  ")}`);
        if (args.out) console.log(`written to ${args.out}`);
        return report;
      } finally {
        await stack.close();
      }
    }),
  );

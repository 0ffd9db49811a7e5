/**
 * `keeper:run`: the keeper (keeper/start.ts) over the Hardhat network chosen with --network. The
 * sending account is KEEPER_KEY when set, else the network's account that is the deployment's keeper
 * (on localhost, the node's account 2), else its first (DEPLOYER_KEY on a testnet). Thin: parse, build the client, call the keeper.
 * The config file is `--keeper-config FILE` here (Hardhat itself owns `--config`), `--config FILE` in
 * the plain Node entry (keeper/main.ts).
 */
import { Wallet } from "ethers";
import { task, types } from "hardhat/config";
import { fail, userErrors } from "./lib/args";
import { clientFromHre } from "./lib/client";
import { loadDeployment } from "../chain/deployment";
import { startKeeper } from "../keeper/start";
import { useEnv } from "../src/env";
import { keeperKey } from "../keeper/main";

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

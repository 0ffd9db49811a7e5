/**
 * What both entries (the Hardhat task `keeper:run` and the plain Node process `keeper/main.ts`) do once
 * they have a client: load the config and the deployment record, build the product keepers, serve
 * /metrics and /health when asked, run the loop, and stop cleanly on SIGINT/SIGTERM.
 */
import path from "node:path";
import type { Signer } from "ethers";
import type { Client } from "../chain/client";
import type { DeploymentRecord } from "../chain/deployment";
import { ConfigError, loadConfig, type KeeperConfig } from "./config";
import { buildProductKeepers } from "./products";
import { parseProductsConfig, type ProductsConfig } from "./products/config";
import { createLogger, type Logger } from "./log";
import { KeeperMetrics, serveMetrics, type MetricsServer } from "./metrics";
import { Keeper } from "./run";
import type { ProductKeeper } from "./work";

export interface StartOptions {
  /** The sending account (KEEPER_KEY); default: the client's signer that holds the record's keeper address, else its first. */
  sender?: Signer;
  once: boolean;
  dryRun: boolean;
  configFile?: string;
  jsonLogs: boolean;
  metricsPort?: number;
  /** Stop after this many ticks (tests, benchmarks); default: until a signal. */
  maxTicks?: number;
}

/** Builds the product keepers of the config (from the product modules, `keeper/products`). */
export type ProductBuilder = (client: Client, record: DeploymentRecord | undefined, config: KeeperConfig, log: Logger, configDir: string) => ProductKeeper[];

/** The product modules (keeper/products) for the config's products; paths in it are relative to the config file. */
export const defaultProducts: ProductBuilder = (client, record, config, log, configDir) => {
  if (Object.keys(config.products).length === 0) return [];
  let products: ProductsConfig;
  try {
    products = parseProductsConfig(config.products, configDir);
  } catch (e) {
    throw new ConfigError(`the keeper config's products are not valid: ${(e as Error).message}`);
  }
  if (record === undefined) throw new ConfigError("the config names products but there is no deployment record for this network");
  return buildProductKeepers(client, record, products, log);
};

/** The client's account that holds the record's keeper address (the Rebalancers' KEEPER_ROLE), else its first. */
export async function chooseSender(client: Client, record: DeploymentRecord | undefined, log: Logger): Promise<Signer> {
  const all = await client.signers();
  const want = (record?.protocol as { keeper?: string } | undefined)?.keeper?.toLowerCase();
  const match = want === undefined ? undefined : all.find((s) => s.address.toLowerCase() === want);
  if (match !== undefined) return match;
  if (all[0] === undefined) throw new Error(`no account to send from on "${client.network}": set KEEPER_KEY`);
  if (want !== undefined) log.warn({ keeper: want, sender: all[0].address }, "no account of this client is the deployment's keeper: sending from the first (set KEEPER_KEY)");
  return all[0];
}

/** Runs the keeper; resolves to the process exit code. */
export async function startKeeper(client: Client, loadRecord: () => DeploymentRecord | undefined, opts: StartOptions, products: ProductBuilder = defaultProducts): Promise<number> {
  const config = loadConfig(opts.configFile);
  const log = createLogger({ json: opts.jsonLogs });
  const record = Object.keys(config.products).length > 0 ? loadRecord() : undefined;
  const configDir = opts.configFile !== undefined ? path.dirname(path.resolve(opts.configFile)) : process.cwd();
  const keepers = products(client, record, config, log, configDir);
  const metrics = new KeeperMetrics(true);
  const sender = opts.sender ?? (await chooseSender(client, record, log));
  const keeper = await Keeper.create(client, keepers, { config, log, metrics, dryRun: opts.dryRun, sender });
  let server: MetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    server = await serveMetrics(metrics, opts.metricsPort, () => keeper.healthMaxAge());
    log.info({ port: server.port }, `serving /metrics and /health on http://127.0.0.1:${server.port}`);
  }
  log.info(
    { network: client.network, account: keeper.sender.address, products: keepers.map((k) => k.product), once: opts.once, dryRun: opts.dryRun, confirmations: config.confirmations, pollSeconds: config.pollSeconds },
    keepers.length === 0 ? "keeper started with no product configured (nothing will be due)" : "keeper started",
  );
  const stop = () => {
    log.info("stopping after the current tick");
    keeper.stop();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await keeper.run({ once: opts.once, maxTicks: opts.maxTicks });
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    await server?.close();
    log.flush();
  }
}

/**
 * The keeper as a plain Node process over an RPC URL, for where Hardhat is not wanted:
 *
 *   KEEPER_KEY=0x... npx ts-node keeper/main.ts --rpc URL --network NAME [--config FILE] [--once] [--dry-run]
 *     [--json-logs] [--metrics-port N] [--record FILE]
 *
 * It loads no Hardhat module (a test checks `require.cache`). The deployment record is
 * `deployments/<network>.json` unless `--record FILE` names another. A user error prints one line, no stack.
 */
import { parseArgs } from "node:util";
import fs from "node:fs";
import path from "node:path";
import type { JsonRpcProvider } from "ethers";
import { clientFromUrl, type AccountSigner, type Client } from "../chain/client";
import type { DeploymentRecord } from "../chain/deployment";
import { SsiError } from "../src/lib/errors";
import { useEnv } from "../src/env";
import { startKeeper, type ProductBuilder } from "./start";

export const USAGE = "usage: KEEPER_KEY=0x... npx ts-node keeper/main.ts --rpc URL --network NAME [--config FILE] [--once] [--dry-run] [--json-logs] [--metrics-port N] [--record FILE]";

export class UsageError extends SsiError {
  override readonly name = "UsageError";
}

export interface MainArgs {
  rpc: string;
  network: string;
  config?: string;
  record?: string;
  once: boolean;
  dryRun: boolean;
  jsonLogs: boolean;
  metricsPort?: number;
}

export function parseMainArgs(argv: string[]): MainArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rpc: { type: "string" },
        network: { type: "string" },
        config: { type: "string" },
        record: { type: "string" },
        once: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        "json-logs": { type: "boolean", default: false },
        "metrics-port": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.rpc === undefined) throw new UsageError(`--rpc URL is required\n${USAGE}`);
  if (!/^https?:\/\//.test(values.rpc)) throw new UsageError(`--rpc must be an http(s) URL, not "${values.rpc}"`);
  if (values.network === undefined) throw new UsageError(`--network NAME is required (it names deployments/NAME.json)\n${USAGE}`);
  let metricsPort: number | undefined;
  if (values["metrics-port"] !== undefined) {
    metricsPort = Number(values["metrics-port"]);
    if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) throw new UsageError(`--metrics-port must be a port number (0-65535), not "${values["metrics-port"]}"`);
  }
  return { rpc: values.rpc, network: values.network, config: values.config, record: values.record, once: values.once!, dryRun: values["dry-run"]!, jsonLogs: values["json-logs"]!, metricsPort };
}

/** KEEPER_KEY, checked: the keeper's one sending key. */
export function keeperKey(): string {
  const key = useEnv("KEEPER_KEY");
  if (key === undefined) throw new UsageError("set KEEPER_KEY to the keeper account's private key (0x followed by 64 hex digits)");
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError("KEEPER_KEY is not a private key (0x followed by 64 hex digits)");
  return key;
}

function readRecord(file: string): DeploymentRecord {
  if (!fs.existsSync(file)) throw new UsageError(`no deployment record ${file}: deploy first (npx hardhat ssi:deploy --network NAME) or pass --record FILE`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
}

export async function main(argv = process.argv.slice(2), products?: ProductBuilder): Promise<number> {
  const args = parseMainArgs(argv);
  const key = keeperKey();
  const base = clientFromUrl(args.rpc, args.network, [key], { pollingInterval: 1000 });
  const [sender] = await base.signers();
  // On a development chain the node's unlocked accounts are the client's accounts ("local:N" in the
  // products config); the keeper sends with KEEPER_KEY either way.
  const client: Client = base.local
    ? { ...base, signers: async () => ((await (base.provider as JsonRpcProvider).listAccounts()) as AccountSigner[]) }
    : base;
  try {
    const recordFile = args.record ?? path.join(process.cwd(), "deployments", `${args.network}.json`);
    return await startKeeper(client, () => readRecord(recordFile), { sender, once: args.once, dryRun: args.dryRun, configFile: args.config, jsonLogs: args.jsonLogs, metricsPort: args.metricsPort }, products);
  } finally {
    (base.provider as { destroy?: () => void }).destroy?.();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      const known = e instanceof SsiError;
      console.error(known ? `keeper: ${e.message}` : e);
      process.exit(2);
    },
  );
}

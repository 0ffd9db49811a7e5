/**
 * `ssi:rebalance`: the keeper's rebalance of one vault on its Rebalancer: an SSI product's monthly
 * rebalance (issue 3), or SANX after a membership change (issue 4: `--index SANX`, the vault and
 * Rebalancer of the record's `sanx` part). A thin wrapper over `runKeeper` in chain/rebalance.ts
 * (loaded when the task runs: it imports TypeChain).
 */
import { task } from "hardhat/config";
import { fail, parseChoice, parsePositiveAmount, userErrors } from "./lib/args";
import { SSI_PRODUCTS } from "../ignition/modules/IndexVault";
import type { RebalanceIndex } from "../chain/rebalance";
import { clientFromHre } from "./lib/client";

const lib = () => import("../chain/rebalance");
/** The same list as `REBALANCE_INDEXES` of the lib (which cannot be imported before the first compile). */
const INDEXES: readonly RebalanceIndex[] = [...SSI_PRODUCTS, "SANX"];

interface Args {
  index: string;
  dryRun: boolean;
  maxTradeUsd?: string;
  json: boolean;
}

task("ssi:rebalance", "Plans and executes a vault's rebalance to its latest accepted weights through its Rebalancer (Uniswap V3), then verifies the basket against the targets")
  .addParam("index", `the vault: ${INDEXES.join(" | ")}`)
  .addFlag("dryRun", "print the plan (trades, oracle floors, pool quotes, turnover, gas) and send nothing")
  .addOptionalParam("maxTradeUsd", "largest trade in USD (larger legs are split); at most the Rebalancer's cap (default: that cap)")
  .addFlag("json", "print only JSON on stdout")
  .setAction(async (args: Args, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      // == Validate every argument before reading or sending anything ==
      const index = parseChoice(args.index, "index", INDEXES);
      const maxTradeUsd = args.maxTradeUsd === undefined ? undefined : parsePositiveAmount(args.maxTradeUsd, "max-trade-usd", 18);
      if (maxTradeUsd !== undefined && maxTradeUsd < 10n ** 16n) fail(`--max-trade-usd ${args.maxTradeUsd} is below one cent`);
      const info = (l: string) => (args.json ? console.error(l) : console.log(l));

      const { loadRecord } = await import("../chain/ssi");
      const { runKeeper } = await lib();
      const record = await loadRecord(client);
      const run = await runKeeper(client, record, index, { dryRun: args.dryRun, json: args.json, ...(maxTradeUsd === undefined ? {} : { maxTradeUsd }) }, info);
      if (args.json) console.log(JSON.stringify(run.json, null, 2));
    }),
  );

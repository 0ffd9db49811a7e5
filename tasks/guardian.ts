/**
 * Guardian and governance tasks: `guardian:pause`, `guardian:red-button` (the guardian's emergency
 * stops, sent at once) and `gov:unpause`, `gov:lift-red-button`, `gov:cancel` (governance:
 * DEFAULT_ADMIN_ROLE, held by the admin TimelockController: the first run schedules, the run after the
 * delay executes). Thin: parse, describe the calls (chain/roles.ts), submit or print them.
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { fail, firstSigner, parseAddressArg, parseChoice, userErrors } from "./lib/args";
import { SSI_PRODUCTS } from "../ignition/modules/IndexVault";
import type { RoleCall } from "../chain/roles";
import { clientFromHre } from "./lib/client";

const INDEXES = [...SSI_PRODUCTS, "SANX"] as const;
const lib = () => import("../chain/roles");

interface Common {
  from?: string;
  calldata: boolean;
  json: boolean;
  execute?: boolean;
}

/** The sender: `--from ADDR` (an account this network's signers hold) or the first signer. */
async function sender(hre: HardhatRuntimeEnvironment, from: string | undefined): Promise<Signer> {
  if (from === undefined) return firstSigner(hre);
  const address = parseAddressArg(from, "from");
  const held = (await hre.ethers.getSigners()).find((s) => s.address === address);
  if (held === undefined) fail(`--from ${address}: this network has no key for it (on a testnet the only account is DEPLOYER_KEY's)`);
  return held;
}

/**
 * Prints the calls for a multisig or timelock proposal (--calldata), or submits each (sent by a role
 * holder; scheduled on, or executed through, the admin timelock) and reports.
 */
async function run(hre: HardhatRuntimeEnvironment, args: Common, done: { calls: RoleCall[]; already: string[] }): Promise<void> {
  const { proposal, submitRoleCall, outcomeLine, timelockProposal } = await lib();
  const out = (l: string) => (args.json ? console.error(l) : console.log(l));
  for (const a of done.already) out(`${a}: nothing to send`);
  const record = await (await import("../chain/ssi")).loadRecord(clientFromHre(hre));
  if (args.calldata) {
    const proposals = [];
    for (const call of done.calls) proposals.push({ ...proposal(call), ...((await timelockProposal(clientFromHre(hre), record, call)) ?? {}) });
    if (args.json) console.log(JSON.stringify(proposals, null, 2));
    else {
      for (const p of proposals) {
        console.log(`${p.what}: needs ${p.role}\n  to ${p.target}\n  value 0\n  data ${p.data}`);
        if ("timelock" in p && p.schedule !== undefined && p.execute !== undefined) {
          console.log(`  held by the TimelockController ${p.timelock} (minimum delay ${p.minDelay} s): a proposer sends`);
          console.log(`    to ${p.schedule.to}\n    value 0\n    data ${p.schedule.data}`);
          console.log(`  and after the delay an executor sends (or runs this task again)\n    to ${p.execute.to}\n    value 0\n    data ${p.execute.data}`);
        }
      }
    }
    return;
  }
  const who = await sender(hre, args.from);
  const outcomes = [];
  for (const call of done.calls) {
    const o = await submitRoleCall(clientFromHre(hre), record, call, who, { execute: args.execute === true });
    outcomes.push(o);
    out(outcomeLine(o));
  }
  if (args.json) console.log(JSON.stringify({ outcomes, already: done.already }, null, 2));
}

const withCommon = (name: string, description: string) =>
  task(name, description)
    .addOptionalParam("from", "send from this account (local networks: any unlocked account, e.g. the guardian); default: the first account")
    .addFlag("calldata", "print the target and calldata to propose through a multisig (and, for governance, the timelock's scheduleBatch/executeBatch calldata), and send nothing")
    .addFlag("json", "print only JSON on stdout")
    .addFlag("execute", "governance through the timelock: only execute the operation scheduled for this call (once ready), never schedule");

/** guardian:pause and gov:unpause: one index vault's pause flag, set by the guardian, lifted by governance. */
const vaultPauseTask = (name: string, description: string, pause: boolean) =>
  withCommon(name, description)
    .addParam("index", `the index: ${INDEXES.join(" | ")}`)
    .setAction(async (args: Common & { index: string }, hre) =>
      userErrors(async () => {
        const client = clientFromHre(hre);
        const index = parseChoice(args.index, "index", INDEXES);
        const { loadRecord } = await import("../chain/ssi");
        const { vaultPauseCalls } = await lib();
        await run(hre, args, await vaultPauseCalls(client, await loadRecord(client), index, pause));
      }),
    );

vaultPauseTask("guardian:pause", "GUARDIAN_ROLE: pauses an index vault (mint and trading stop; redemption stays open)", true);
vaultPauseTask("gov:unpause", "DEFAULT_ADMIN_ROLE (governance): lifts an index vault's pause", false);

withCommon("guardian:red-button", "GUARDIAN_ROLE: the SANX red button: pauses the SanxController (no new actions, no executions) and the SANX vault (no mint, no trading; redemption stays open)").setAction(
  async (args: Common, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const { loadRecord } = await import("../chain/ssi");
      const { redButtonCalls } = await lib();
      await run(hre, args, await redButtonCalls(client, await loadRecord(client), true));
    }),
);

withCommon("gov:lift-red-button", "DEFAULT_ADMIN_ROLE (governance): lifts the SANX red button (unpauses the SanxController and the SANX vault)").setAction(
  async (args: Common, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const { loadRecord } = await import("../chain/ssi");
      const { redButtonCalls } = await lib();
      await run(hre, args, await redButtonCalls(client, await loadRecord(client), false));
    }),
);

withCommon("gov:cancel", "DEFAULT_ADMIN_ROLE (governance): cancels the SANX action pending for an asset")
  .addParam("asset", "the asset: a symbol of the deployment record (e.g. UNI) or its token address")
  .setAction(async (args: Common & { asset: string }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (args.asset.trim() === "") fail("--asset must not be empty");
      const { loadRecord } = await import("../chain/ssi");
      const { cancelActionCall, sanxAsset } = await lib();
      const record = await loadRecord(client);
      const asset = sanxAsset(record, args.asset.trim());
      await run(hre, args, { calls: [await cancelActionCall(client, record, asset.address, asset.label)], already: [] });
    }),
  );

/**
 * Guardian and governance calls: pause and unpause a vault, the SANX red button and its lifting,
 * cancelling a pending SANX action.
 *
 * Every call is described first as a `RoleCall` (target, calldata, the role it needs, in words, the
 * effect to check), then submitted by `submitRoleCall`:
 * - the sender holds the role itself (the guardian's pause and red button): simulated, sent, checked;
 * - the role is held by a TimelockController (governance, issue 13): the sender, a proposer there,
 *   schedules the call (nothing else is sent) and is told the operation id, the delay and when it becomes
 *   executable; the same command run again once it is ready executes it (the sender an executor, or the
 *   executor role open) and checks the effect; before then it says when. `--execute` only executes.
 * The timelock client is chain/governance.ts. `--calldata` prints the call for a multisig instead.
 * Every function takes a `Client` (chain/client.ts) first, never the Hardhat runtime.
 */
import { getAddress, ZeroAddress, ZeroHash, id, type Signer } from "ethers";
import { IndexVault__factory, SanxController__factory, TimelockController__factory } from "../typechain-types";
import type { DeploymentRecord } from "./deployment";
import { fail } from "./errors";
import { describeRevert } from "./revert";
import { vaultEntry, type IndexName } from "./ssi";
import { TIMELOCK_ROLE, executeOperation, findPending, newSalt, scheduleBatch, type TimelockController } from "./governance";
import type { Client } from "./client";

export const ROLES = { GUARDIAN: id("GUARDIAN_ROLE"), ADMIN: ZeroHash } as const;
export type RoleName = keyof typeof ROLES;

const ROLE_WORDS: Record<RoleName, string> = {
  GUARDIAN: "GUARDIAN_ROLE (the guardian)",
  ADMIN: "DEFAULT_ADMIN_ROLE (governance: the admin TimelockController)",
};

/** One call that needs a role: what it does, on which contract, with which calldata. */
export interface RoleCall {
  what: string;
  contractName: string;
  target: string;
  data: string;
  role: RoleName;
  /** Reads whether `account` holds the role on the target. */
  hasRole(account: string): Promise<boolean>;
  /** Static call as `from`: throws the contract's revert. */
  simulate(from: string): Promise<unknown>;
  /** After the call: undefined when its effect is on chain, else what is missing, in words. */
  effect(): Promise<string | undefined>;
}

/** What `submitRoleCall` did. */
export type RoleCallOutcome =
  | { kind: "sent"; what: string; tx: string }
  | { kind: "scheduled"; what: string; timelock: string; operationId: string; tx: string; delay: number; readyAt: number }
  | { kind: "waiting"; what: string; timelock: string; operationId: string; readyAt: number }
  | { kind: "executed"; what: string; timelock: string; operationId: string; tx: string };

/** The accounts the record names as holders of `role` (for messages and to find the timelock). */
function recordedHolders(record: DeploymentRecord, role: RoleName): string[] {
  if (role === "GUARDIAN") return [record.protocol.guardian];
  const sanx = (record as DeploymentRecord & { sanx?: { admin?: string } }).sanx;
  return [...new Set([record.protocol.admin, record.protocol.timelock?.address, sanx?.admin].filter((a): a is string => typeof a === "string"))];
}

/** `call` as text a multisig or timelock proposal needs. */
export function proposal(call: RoleCall): { target: string; value: string; data: string; role: string; what: string } {
  return { target: call.target, value: "0", data: call.data, role: ROLE_WORDS[call.role], what: call.what };
}

/** For a multisig that proposes on the timelock holding the role: the timelock's own calls, with a fresh salt. */
export interface TimelockProposal {
  timelock: string;
  minDelay: string;
  salt: string;
  /** `scheduleBatch([target], [0], [data], 0x0, salt, minDelay)`: send it to the timelock from a proposer. */
  schedule: { to: string; value: string; data: string };
  /** `executeBatch([target], [0], [data], 0x0, salt)`: from an executor once the delay has passed (or run the task again). */
  execute: { to: string; value: string; data: string };
}

/** The timelock proposal for `call` when a TimelockController of the record holds its role, else undefined. */
export async function timelockProposal(client: Client, record: DeploymentRecord, call: RoleCall): Promise<TimelockProposal | undefined> {
  const timelock = await timelockHolding(client, call, recordedHolders(record, call.role));
  if (timelock === undefined) return undefined;
  const to = await timelock.getAddress();
  const minDelay = await timelock.getMinDelay();
  const salt = newSalt();
  const batch: [string[], bigint[], string[], string, string] = [[call.target], [0n], [call.data], ZeroHash, salt];
  return {
    timelock: to,
    minDelay: minDelay.toString(),
    salt,
    schedule: { to, value: "0", data: timelock.interface.encodeFunctionData("scheduleBatch", [...batch, minDelay]) },
    execute: { to, value: "0", data: timelock.interface.encodeFunctionData("executeBatch", batch) },
  };
}

const iso = (t: number | bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
/** A duration {s} in words: "1 day", "23 h 59 min", "45 s". */
export function duration(seconds: number | bigint): string {
  const n = Math.max(0, Number(seconds));
  if (n % 86_400 === 0 && n > 0) return `${n / 86_400} day${n === 86_400 ? "" : "s"}`;
  const h = Math.floor(n / 3600);
  const m = Math.floor((n % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${n % 60} s` : `${n} s`;
}

/** The TimelockController among `accounts` that holds the call's role, if any. */
async function timelockHolding(client: Client, call: RoleCall, accounts: string[]): Promise<TimelockController | undefined> {
  for (const a of accounts) {
    if ((await client.provider.getCode(a)) === "0x" || !(await call.hasRole(a))) continue;
    const t = TimelockController__factory.connect(a, client.provider);
    try {
      await t.getMinDelay();
      await t.hasRole(TIMELOCK_ROLE.PROPOSER, ZeroAddress);
      return t;
    } catch {
      // a contract holding the role that is not a TimelockController (a multisig): --calldata
    }
  }
  return undefined;
}

async function checkEffect(call: RoleCall, tx: string): Promise<void> {
  const missing = await call.effect();
  if (missing !== undefined) fail(`${call.what}: the transaction ${tx} went through but ${missing}: look at it on a block explorer`);
}

/**
 * Submits `call` from `sender`; nothing is sent on any failure (roles checked and the call simulated first).
 * The sender holds the role: sends it. A TimelockController holds it: schedules it there, or executes the
 * operation already scheduled once it is ready (see the file's comment). `execute`: never schedule.
 */
export async function submitRoleCall(client: Client, record: DeploymentRecord, call: RoleCall, sender: Signer, opts: { execute?: boolean } = {}): Promise<RoleCallOutcome> {
  const from = await sender.getAddress();
  const needs = `${call.what} needs ${ROLE_WORDS[call.role]} on the ${call.contractName} ${call.target}`;
  if (await call.hasRole(from)) {
    if (opts.execute === true) fail(`${needs}, which ${from} holds itself: nothing goes through a timelock, run without --execute`);
    try {
      await call.simulate(from);
    } catch (e) {
      fail(`${call.what} would revert: ${describeRevert(e) ?? (e as Error).message}; nothing was sent`);
    }
    const tx = await sender.sendTransaction({ to: call.target, data: call.data });
    await tx.wait();
    await checkEffect(call, tx.hash);
    return { kind: "sent", what: call.what, tx: tx.hash };
  }
  const holders = recordedHolders(record, call.role);
  const timelock = await timelockHolding(client, call, holders);
  if (timelock === undefined) {
    const local = client.local;
    const holder = holders[0]!;
    const holderIsContract = (await client.provider.getCode(holder)) !== "0x";
    const how = holderIsContract
      ? `the record's holder ${holder} is a contract (a multisig): propose there the call to ${call.target} with calldata ${call.data} (or run with --calldata)`
      : `send from the account that holds it (the record names ${holder}${local ? `: --from ${holder}` : ": its key as DEPLOYER_KEY"})`;
    fail(`${needs}; ${from} does not hold it: ${how}. Nothing was sent`);
  }
  const tl = await timelock.getAddress();
  const gov = { target: call.target, data: call.data };
  // Does the timelock simulate the call? (It is what will make it.)
  const simulate = async (when: string) => {
    try {
      await call.simulate(tl);
    } catch (e) {
      fail(`${call.what} would revert when the timelock ${tl} makes it: ${describeRevert(e) ?? (e as Error).message}; nothing was ${when}`);
    }
  };
  const fromBlock = record.protocol.fromBlock ?? 0;
  const [op] = await findPending(timelock, [gov], fromBlock);
  const now = BigInt((await client.provider.getBlock("latest"))!.timestamp);
  if (op !== undefined) {
    // The next block's timestamp is at least now + 1.
    if (op.readyAt > now + 1n) {
      return { kind: "waiting", what: call.what, timelock: tl, operationId: op.id, readyAt: Number(op.readyAt) };
    }
    const open = await timelock.hasRole(TIMELOCK_ROLE.EXECUTOR, ZeroAddress);
    if (!open && !(await timelock.hasRole(TIMELOCK_ROLE.EXECUTOR, from))) {
      fail(`${call.what} is scheduled on the timelock ${tl} as operation ${op.id} and ready, but ${from} does not hold EXECUTOR_ROLE there: execute it from an executor${record.protocol.timelock ? ` (the record names ${record.protocol.timelock.executors.join(", ")})` : ""}. Nothing was sent`);
    }
    await simulate("executed");
    const tx = await executeOperation(timelock.connect(sender), op);
    await tx.wait();
    if (!(await timelock.isOperationDone(op.id))) fail(`${call.what}: the transaction ${tx.hash} went through but the timelock does not mark operation ${op.id} done`);
    await checkEffect(call, tx.hash);
    return { kind: "executed", what: call.what, timelock: tl, operationId: op.id, tx: tx.hash };
  }
  if (opts.execute === true) fail(`${call.what} is not scheduled on the timelock ${tl} (no pending operation makes this call): run without --execute to schedule it. Nothing was sent`);
  if (!(await timelock.hasRole(TIMELOCK_ROLE.PROPOSER, from))) {
    fail(
      `${needs}, held by the TimelockController ${tl}; ${from} holds neither that role nor PROPOSER_ROLE on the timelock: schedule it from a proposer${
        record.protocol.timelock ? ` (the record names ${record.protocol.timelock.proposers.join(", ")})` : ""
      }, or run with --calldata to propose it through a multisig. Nothing was sent`,
    );
  }
  await simulate("scheduled");
  const delay = await timelock.getMinDelay();
  const batch = await scheduleBatch(timelock.connect(sender), [gov], { delay });
  const tx = (await timelock.queryFilter(timelock.filters.CallScheduled(batch.id)))[0]?.transactionHash ?? "";
  return { kind: "scheduled", what: call.what, timelock: tl, operationId: batch.id, tx, delay: Number(delay), readyAt: Number(batch.readyAt) };
}

/** An outcome in one line for the terminal. */
export function outcomeLine(o: RoleCallOutcome): string {
  switch (o.kind) {
    case "sent":
      return `${o.what}: done (tx ${o.tx})`;
    case "scheduled":
      return `${o.what}: scheduled on the timelock ${o.timelock} as operation ${o.operationId} (tx ${o.tx}); delay ${o.delay} s (${duration(o.delay)}), executable from ${iso(o.readyAt)}: run the same command again then (or with --execute)`;
    case "waiting":
      return `${o.what}: already scheduled on the timelock ${o.timelock} as operation ${o.operationId}, executable from ${iso(o.readyAt)}, not yet: nothing sent, run again then`;
    case "executed":
      return `${o.what}: executed through the timelock ${o.timelock}, operation ${o.operationId}: done (tx ${o.tx})`;
  }
}

// ---------------------------------------------------------------------------------------------
// The calls
// ---------------------------------------------------------------------------------------------

function vaultCall(client: Client, record: DeploymentRecord, index: IndexName, method: "pause" | "unpause"): RoleCall {
  const { vault: target, symbol } = vaultEntry(record, index);
  const vault = IndexVault__factory.connect(target, client.provider);
  const role: RoleName = method === "pause" ? "GUARDIAN" : "ADMIN";
  return {
    what: method === "pause" ? `pausing ${symbol} (mint and trading stop; redemption stays open)` : `unpausing ${symbol}`,
    contractName: `${symbol} vault`,
    target,
    data: vault.interface.encodeFunctionData(method as "pause"),
    role,
    hasRole: (a) => vault.hasRole(ROLES[role], a),
    simulate: (from) => vault[method].staticCall({ from }),
    effect: async () => ((await vault.paused()) === (method === "pause") ? undefined : `${symbol} is still ${method === "pause" ? "unpaused" : "paused"}`),
  };
}

function controllerOf(client: Client, record: DeploymentRecord) {
  const sanx = (record as DeploymentRecord & { sanx?: { controller?: string } }).sanx;
  if (sanx?.controller === undefined) fail(`deployments/${record.network}.json has no SANX deployment: run sanx:deploy first`);
  return SanxController__factory.connect(sanx.controller, client.provider);
}

function controllerCall(client: Client, record: DeploymentRecord, method: "pause" | "unpause"): RoleCall {
  const controller = controllerOf(client, record);
  const role: RoleName = method === "pause" ? "GUARDIAN" : "ADMIN";
  return {
    what: method === "pause" ? "pressing the red button on the SanxController (no new actions, no executions)" : "lifting the red button on the SanxController",
    contractName: "SanxController",
    target: controller.target as string,
    data: controller.interface.encodeFunctionData(method as "pause"),
    role,
    hasRole: (a) => controller.hasRole(ROLES[role], a),
    simulate: (from) => controller[method].staticCall({ from }),
    effect: async () => ((await controller.paused()) === (method === "pause") ? undefined : `the SanxController is still ${method === "pause" ? "live" : "paused"}`),
  };
}

/** Pause (guardian) or unpause (governance) one index vault. */
export async function vaultPauseCalls(client: Client, record: DeploymentRecord, index: IndexName, pause: boolean): Promise<{ calls: RoleCall[]; already: string[] }> {
  const { vault, symbol } = vaultEntry(record, index);
  const paused = await IndexVault__factory.connect(vault, client.provider).paused();
  if (paused === pause) return { calls: [], already: [`${symbol} is already ${pause ? "paused" : "unpaused"}`] };
  return { calls: [vaultCall(client, record, index, pause ? "pause" : "unpause")], already: [] };
}

/**
 * The SANX red button (guardian): the SanxController's pause (no new actions, no executions) and the
 * SANX vault's pause (no mint, no trading; redemption stays open). Lifting it (governance) unpauses
 * both. A part already in the wanted state is skipped and reported.
 */
export async function redButtonCalls(client: Client, record: DeploymentRecord, press: boolean): Promise<{ calls: RoleCall[]; already: string[] }> {
  const controller = controllerOf(client, record);
  const calls: RoleCall[] = [];
  const already: string[] = [];
  if ((await controller.paused()) === press) already.push(`the SanxController is already ${press ? "paused" : "live"}`);
  else calls.push(controllerCall(client, record, press ? "pause" : "unpause"));
  const vault = await vaultPauseCalls(client, record, "SANX", press);
  return { calls: [...calls, ...vault.calls], already: [...already, ...vault.already] };
}

/** Governance cancels the SANX action pending for `asset` (a token address). */
export async function cancelActionCall(client: Client, record: DeploymentRecord, asset: string, label: string): Promise<RoleCall> {
  const controller = controllerOf(client, record);
  const [kind, dueAt] = await controller.pending(asset);
  if (kind === 0n) fail(`${label} has no pending SANX action: nothing to cancel (sanx:status lists the pending ones)`);
  const action = kind === 1n ? "ADD" : "REMOVE";
  return {
    what: `cancelling the pending ${action} ${label} (due ${new Date(Number(dueAt) * 1000).toISOString()})`,
    contractName: "SanxController",
    target: controller.target as string,
    data: controller.interface.encodeFunctionData("cancel", [asset]),
    role: "ADMIN",
    hasRole: (a) => controller.hasRole(ROLES.ADMIN, a),
    simulate: (from) => controller.cancel.staticCall(asset, { from }),
    effect: async () => ((await controller.pending(asset))[0] === 0n ? undefined : `the ${action} ${label} is still pending`),
  };
}

/** The token address of a SANX asset given as a symbol of the record or as an address. */
export function sanxAsset(record: DeploymentRecord, value: string): { address: string; label: string } {
  const key = record.assets[value.toUpperCase()];
  if (key !== undefined && record.tokens[key] !== undefined) return { address: getAddress(record.tokens[key]!.address), label: value.toUpperCase() };
  const byAddress = Object.entries(record.tokens).find(([, t]) => t.address.toLowerCase() === value.toLowerCase());
  if (byAddress !== undefined) return { address: getAddress(byAddress[1].address), label: byAddress[0] };
  fail(`--asset "${value}" is neither a symbol nor a token address of deployments/${record.network}.json`);
}

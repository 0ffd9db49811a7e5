/**
 * Governance through the admin TimelockController (issue 13): every SSI contract's DEFAULT_ADMIN_ROLE
 * is a TimelockController with a minimum delay of at least 1 day (the contracts refuse anything else in
 * their constructors), so every admin call is scheduled, visible on chain for the delay, then executed.
 *
 * These functions take the timelock (connected to a proposer/executor signer) first. `govern` is the
 * whole cycle on a local chain (schedule, advance time past the delay, execute); on a real network a
 * proposer schedules and an executor executes after the delay (`scheduleBatch` / `executeBatch`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ZeroHash, hexlify, id, randomBytes, type BaseContract, type ContractTransactionResponse, type Provider } from "ethers";
import { TimelockController__factory, type TimelockController } from "../typechain-types";
import { bareRoleName } from "./revert";

/** The floor on an admin timelock's minimum delay {s}; TimelockCheck.MIN_ADMIN_DELAY in the contracts. */
export const MIN_ADMIN_DELAY = 86_400n;

/** TimelockController role ids. */
export const TIMELOCK_ROLE = {
  PROPOSER: id("PROPOSER_ROLE"),
  EXECUTOR: id("EXECUTOR_ROLE"),
  CANCELLER: id("CANCELLER_ROLE"),
} as const;

/** One call the timelock makes: target address and calldata (value is always 0 here). */
export interface GovCall {
  target: string;
  data: string;
  /** What it does, for logs (e.g. "MAG7.grantRole(ORACLE_ROLE, WeightOracle)"). */
  label?: string;
}

/** A call of `fn(args)` on `contract`, encoded for the timelock. */
export async function govCall(contract: BaseContract, fn: string, args: readonly unknown[], label?: string): Promise<GovCall> {
  const call: GovCall = { target: await contract.getAddress(), data: contract.interface.encodeFunctionData(fn, args as unknown[]) };
  if (label !== undefined) call.label = label;
  return call;
}

/** A batch as the timelock sees it, and its operation id. */
export interface ScheduledBatch {
  calls: GovCall[];
  salt: string;
  predecessor: string;
  /** keccak256 of (targets, values, payloads, predecessor, salt): `TimelockController.hashOperationBatch`. */
  id: string;
  /** {unix s} when it can be executed. */
  readyAt: bigint;
}

function parts(calls: readonly GovCall[]) {
  return { targets: calls.map((c) => c.target), values: calls.map(() => 0n), payloads: calls.map((c) => c.data) };
}

/** A fresh random 32-byte salt, so two identical batches are two operations. */
export function newSalt(): string {
  return hexlify(randomBytes(32));
}

/** Schedules `calls` as one batch (the signer must be a proposer); returns its id and ready time. */
export async function scheduleBatch(timelock: TimelockController, calls: readonly GovCall[], opts: { salt?: string; delay?: bigint } = {}): Promise<ScheduledBatch> {
  const salt = opts.salt ?? newSalt();
  const delay = opts.delay ?? (await timelock.getMinDelay());
  const { targets, values, payloads } = parts(calls);
  await (await timelock.scheduleBatch(targets, values, payloads, ZeroHash, salt, delay)).wait();
  const id = await timelock.hashOperationBatch(targets, values, payloads, ZeroHash, salt);
  return { calls: [...calls], salt, predecessor: ZeroHash, id, readyAt: await timelock.getTimestamp(id) };
}

/** Executes a scheduled batch once ready (the signer must be an executor); the revert of any call bubbles up. */
export async function executeBatch(timelock: TimelockController, batch: Pick<ScheduledBatch, "calls" | "salt" | "predecessor">): Promise<ContractTransactionResponse> {
  const { targets, values, payloads } = parts(batch.calls);
  return timelock.executeBatch(targets, values, payloads, batch.predecessor, batch.salt);
}

/** Local chains only: moves the next block's time to `at` (if it is later) and mines it. */
export async function advanceTo(provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> }, at: bigint): Promise<void> {
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  if (at > now) await provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  await provider.send("evm_mine", []);
}

/**
 * The whole cycle on a LOCAL chain: schedule `calls` as one batch, advance time to when it is ready,
 * run `beforeExecute` (e.g. re-stamp mock feeds the time travel made stale), execute. Returns the
 * execution transaction (a failing call's revert bubbles up through `executeBatch`).
 */
export async function govern(
  timelock: TimelockController,
  calls: readonly GovCall[],
  opts: { beforeExecute?: () => Promise<void>; salt?: string } = {},
): Promise<ContractTransactionResponse> {
  const batch = await scheduleBatch(timelock, calls, opts.salt === undefined ? {} : { salt: opts.salt });
  const provider = timelock.runner!.provider as Provider & { send(method: string, params: unknown[]): Promise<unknown> };
  await advanceTo(provider, batch.readyAt);
  if (opts.beforeExecute !== undefined) await opts.beforeExecute();
  return executeBatch(timelock, batch);
}

export { TimelockController__factory, type TimelockController };

/**
 * Deploys a TimelockController with `minDelay` (default the floor) and `proposers`/`executors`, no admin
 * account (it administers itself). For local setups (benchmarks, the demo's sample market); deployments
 * go through the `Governance` Ignition module.
 */
export async function deployTimelock(signer: import("ethers").Signer, proposers: string[], executors: string[], minDelay: bigint = MIN_ADMIN_DELAY): Promise<TimelockController> {
  const t = await new TimelockController__factory(signer).deploy(minDelay, proposers, executors, "0x0000000000000000000000000000000000000000");
  await t.waitForDeployment();
  return t;
}

// ---------------------------------------------------------------------------------------------
// Deployment: the wiring batches Ignition scheduled, the bootstrap roles, and who holds what
// ---------------------------------------------------------------------------------------------

/** Every batch scheduled on `timelock` since `fromBlock` that is still pending (neither executed nor cancelled). */
export async function pendingBatches(timelock: TimelockController, fromBlock = 0): Promise<ScheduledBatch[]> {
  const scheduled = await timelock.queryFilter(timelock.filters.CallScheduled(), fromBlock);
  const salts = await timelock.queryFilter(timelock.filters.CallSalt(), fromBlock);
  const byId = new Map<string, { calls: { index: bigint; call: GovCall }[]; predecessor: string }>();
  for (const e of scheduled) {
    const { id: opId, index, target, data, predecessor } = e.args;
    const entry = byId.get(opId) ?? { calls: [], predecessor };
    entry.calls.push({ index, call: { target, data } });
    byId.set(opId, entry);
  }
  const out: ScheduledBatch[] = [];
  for (const [opId, entry] of byId) {
    if (!(await timelock.isOperationPending(opId))) continue;
    const salt = salts.find((s) => s.args.id === opId)?.args.salt ?? ZeroHash;
    const calls = entry.calls.sort((a, b) => Number(a.index - b.index)).map((c) => c.call);
    out.push({ calls, salt, predecessor: entry.predecessor, id: opId, readyAt: await timelock.getTimestamp(opId) });
  }
  return out;
}

/**
 * Executes every pending batch once ready. On a local chain (`local`) it first advances time to the
 * latest ready time and runs `beforeExecute` (re-stamp mock feeds); on a real network it executes only
 * those already ready and returns the rest, with their ready times, for a later run.
 */
export async function executePending(
  timelock: TimelockController,
  batches: readonly ScheduledBatch[],
  opts: { local: boolean; beforeExecute?: () => Promise<void> },
): Promise<{ executed: ScheduledBatch[]; waiting: ScheduledBatch[] }> {
  if (batches.length === 0) return { executed: [], waiting: [] };
  const provider = timelock.runner!.provider as Provider & { send(method: string, params: unknown[]): Promise<unknown> };
  if (opts.local) {
    const last = batches.reduce((a, b) => (b.readyAt > a ? b.readyAt : a), 0n);
    await advanceTo(provider, last);
    if (opts.beforeExecute !== undefined) await opts.beforeExecute();
  }
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  const executed: ScheduledBatch[] = [];
  const waiting: ScheduledBatch[] = [];
  for (const b of batches) {
    // The next block's timestamp is at least now + 1.
    if (b.readyAt > now + 1n) {
      waiting.push(b);
      continue;
    }
    await (await executeBatch(timelock, b)).wait();
    executed.push(b);
  }
  return { executed, waiting };
}

/** The pending operations on `timelock` (since `fromBlock`) that make exactly `calls`, earliest ready first. */
export async function findPending(timelock: TimelockController, calls: readonly GovCall[], fromBlock = 0): Promise<ScheduledBatch[]> {
  const same = (a: GovCall, b: GovCall) => a.target.toLowerCase() === b.target.toLowerCase() && a.data.toLowerCase() === b.data.toLowerCase();
  const all = await pendingBatches(timelock, fromBlock);
  return all.filter((b) => b.calls.length === calls.length && b.calls.every((c, i) => same(c, calls[i]!))).sort((a, b) => (a.readyAt < b.readyAt ? -1 : a.readyAt > b.readyAt ? 1 : 0));
}

/**
 * Executes an operation found by `pendingBatches`, whether it was scheduled as a batch (`scheduleBatch`,
 * as these tools do) or as one call with `schedule` (as a multisig may have done from the printed calldata).
 */
export async function executeOperation(timelock: TimelockController, op: ScheduledBatch): Promise<ContractTransactionResponse> {
  if (op.calls.length === 1) {
    const [c] = op.calls;
    if ((await timelock.hashOperation(c!.target, 0n, c!.data, op.predecessor, op.salt)) === op.id) return timelock.execute(c!.target, 0n, c!.data, op.predecessor, op.salt);
  }
  return executeBatch(timelock, op);
}

/** What the deployer may keep on the timelock: the roles the parameters themselves give it. */
export interface TimelockParams {
  minDelay: bigint;
  proposers: string[];
  executors: string[];
  guardian: string;
}

/**
 * Ends the bootstrap: the deployer renounces, on `timelock`, its constructor admin role and every
 * PROPOSER / EXECUTOR / CANCELLER role the parameters do not give it.
 */
export async function renounceBootstrap(timelock: TimelockController, deployer: string, params: TimelockParams): Promise<string[]> {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const keep = {
    [TIMELOCK_ROLE.PROPOSER]: params.proposers.some((p) => same(p, deployer)),
    [TIMELOCK_ROLE.EXECUTOR]: params.executors.some((p) => same(p, deployer)),
    [TIMELOCK_ROLE.CANCELLER]: params.proposers.some((p) => same(p, deployer)) || same(params.guardian, deployer),
    [ZeroHash]: false,
  };
  const renounced: string[] = [];
  for (const [role, kept] of Object.entries(keep)) {
    if (kept || !(await timelock.hasRole(role, deployer))) continue;
    await (await timelock.renounceRole(role, deployer)).wait();
    renounced.push(roleName(role));
  }
  return renounced;
}

/** A role id's bare name (the SSI, SANX, USSI and TimelockController roles), or the id itself. */
export const roleName = bareRoleName;

/** An AccessControl contract as far as role holders go. */
export interface AccessControlled {
  getAddress(): Promise<string>;
  hasRole(role: string, account: string): Promise<boolean>;
  queryFilter: BaseContract["queryFilter"];
  filters: BaseContract["filters"];
}

/** Role name -> current holders, from every RoleGranted since `fromBlock`, each checked with `hasRole` now. */
export async function roleHolders(contract: AccessControlled, fromBlock = 0): Promise<Record<string, string[]>> {
  const events = await contract.queryFilter(contract.filters.RoleGranted!(), fromBlock);
  const seen = new Map<string, Set<string>>();
  for (const e of events) {
    const [role, account] = (e as unknown as { args: [string, string] }).args;
    const set = seen.get(role) ?? new Set<string>();
    set.add(account);
    seen.set(role, set);
  }
  const out: Record<string, string[]> = {};
  for (const [role, accounts] of seen) {
    const now: string[] = [];
    for (const a of accounts) if (await contract.hasRole(role, a)) now.push(a);
    if (now.length > 0) out[roleName(role)] = now.sort();
  }
  return out;
}

/**
 * The on-chain check of issue 13 over a deployment's role table: every contract's DEFAULT_ADMIN_ROLE is
 * held by its expected timelock alone (a timelock by itself alone), and the deployer holds no role
 * except those in `deployerMayHold` (roles the parameters themselves give it on a local network).
 * Returns the problems in words (empty when all is well).
 */
export function checkRoleTable(
  table: Record<string, { address: string; admin: string; roles: Record<string, string[]> }>,
  deployer: string,
  deployerMayHold: ReadonlySet<string> = new Set(),
): string[] {
  const problems: string[] = [];
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  for (const [name, c] of Object.entries(table)) {
    const admins = c.roles.DEFAULT_ADMIN_ROLE ?? [];
    if (admins.length !== 1 || !same(admins[0]!, c.admin)) {
      problems.push(`${name}: DEFAULT_ADMIN_ROLE is held by ${admins.join(", ") || "nobody"}, expected the timelock ${c.admin} alone`);
    }
    for (const [role, holders] of Object.entries(c.roles)) {
      if (holders.some((h) => same(h, deployer)) && !deployerMayHold.has(`${name}:${role}`)) {
        problems.push(`${name}: the deployer ${deployer} still holds ${role}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A deployment that waits for its timelock (non-local networks): where to look for its batches next time
// ---------------------------------------------------------------------------------------------

function pendingFile(network: string, what: string, root: string): string {
  return path.join(root, "deployments", `${network}.${what}.pending.json`);
}

/** Remembers the block a deployment's wiring was scheduled from, for the run after the delay. */
export function rememberPending(network: string, what: string, timelock: string, fromBlock: number, root = process.cwd()): void {
  mkdirSync(path.join(root, "deployments"), { recursive: true });
  writeFileSync(pendingFile(network, what, root), JSON.stringify({ timelock, fromBlock }, null, 2) + "\n");
}

/** The block to read `timelock`'s scheduled batches from: the remembered one when a previous run waited, else `fallback`. */
export function pendingFrom(network: string, what: string, timelock: string, fallback: number, root = process.cwd()): number {
  const file = pendingFile(network, what, root);
  if (!existsSync(file)) return fallback;
  try {
    const p = JSON.parse(readFileSync(file, "utf8")) as { timelock?: string; fromBlock?: number };
    return p.timelock?.toLowerCase() === timelock.toLowerCase() && typeof p.fromBlock === "number" ? Math.min(p.fromBlock, fallback) : fallback;
  } catch {
    return fallback;
  }
}

/** Forgets the remembered block once the wiring has executed. */
export function forgetPending(network: string, what: string, root = process.cwd()): void {
  rmSync(pendingFile(network, what, root), { force: true });
}

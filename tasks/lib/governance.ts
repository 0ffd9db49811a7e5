/**
 * Governance through the admin TimelockController (issue 13): every SSI contract's DEFAULT_ADMIN_ROLE
 * is a TimelockController with a minimum delay of at least 1 day (the contracts refuse anything else in
 * their constructors), so every admin call is scheduled, visible on chain for the delay, then executed.
 *
 * These functions take the timelock (connected to a proposer/executor signer) first. `govern` is the
 * whole cycle on a local chain (schedule, advance time past the delay, execute); on a real network a
 * proposer schedules and an executor executes after the delay (`scheduleBatch` / `executeBatch`).
 */
import { ZeroHash, hexlify, id, randomBytes, type BaseContract, type ContractTransactionResponse, type Provider } from "ethers";
import { TimelockController__factory, type TimelockController } from "../../typechain-types";

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

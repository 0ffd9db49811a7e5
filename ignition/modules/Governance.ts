import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ZeroHash, id as keccakId } from "ethers";
import type { ContractRef, ModuleBuilder } from "./builder";
import { DEFAULT_MIN_DELAY } from "./constants";
import { ROLE } from "./roles";

export { DEFAULT_MIN_DELAY };


/**
 * The admin of a family of contracts: a TimelockController (issue 13). Every SSI contract refuses, in its
 * constructor, an admin that is not a TimelockController with at least a 1-day delay, so every admin
 * action (role grants, feeds, adapters, signer sets, fees, unpause) is queued on chain for `minDelay`.
 *
 * Parameters (the calling module's, or `$global`): `minDelay` {s} (default 2 days), `proposers` and
 * `executors` (your multisig), `guardian` (gets CANCELLER_ROLE: it can cancel any queued change, and
 * nothing else on the timelock).
 *
 * Bootstrap: the deployer is the timelock's constructor admin and grants itself PROPOSER and EXECUTOR,
 * so it can schedule the deployment's wiring (the `schedule` calls of the modules), which waits out the
 * same delay as any change; the deploy task executes it once ready and then renounces every one of
 * these roles (and fails if the deployer kept any it was not given by the parameters).
 */
export function timelockFuture(m: ModuleBuilder, futureId: string) {
  const deployer = m.getAccount(0);
  const timelock = m.contract(
    "TimelockController",
    [m.getParameter<bigint>("minDelay", DEFAULT_MIN_DELAY), m.getParameter<string[]>("proposers"), m.getParameter<string[]>("executors"), deployer],
    { id: futureId },
  );
  m.call(timelock, "grantRole", [ROLE.CANCELLER, m.getParameter("guardian", deployer)], { id: "grantCanceller" });
  m.call(timelock, "grantRole", [ROLE.PROPOSER, deployer], { id: "bootstrapProposer" });
  m.call(timelock, "grantRole", [ROLE.EXECUTOR, deployer], { id: "bootstrapExecutor" });
  return timelock;
}

/** One admin call for `scheduleWiring`: [contract, function, arguments]. */
export type WiringCall = readonly [ContractRef, string, readonly unknown[]];

/**
 * Schedules `calls` on `timelock` as one batch (salt = keccak256(`salt`)), with the timelock's own
 * minimum delay: the wiring of a module is a queued admin change like any other, visible on chain for
 * the whole delay. The deploy task executes every batch once ready (`chain/governance.ts`).
 */
export function scheduleWiring(m: ModuleBuilder, timelock: ContractRef, calls: readonly WiringCall[], salt: string) {
  const payloads = calls.map(([c, fn, args], i) => m.encodeFunctionCall(c as never, fn, [...args] as never, { id: `${salt}_${i}_${fn}` }));
  const delay = m.staticCall(timelock as never, "getMinDelay", [], 0, { id: `${salt}_delay` });
  return m.call(timelock, "scheduleBatch", [calls.map(([c]) => c) as never, calls.map(() => 0n), payloads, ZeroHash, keccakId(salt), delay], { id: `${salt}_schedule` });
}

/** The SSI protocol's admin timelock (module `Governance`, future id `SsiTimelock`). */
export default buildModule("Governance", (m) => ({ timelock: timelockFuture(m, "SsiTimelock") }));

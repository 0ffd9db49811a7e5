/**
 * Guardian and governance calls: pause and unpause a vault, the SANX red button and its lifting,
 * cancelling a pending SANX action.
 *
 * Every call is described first as a `RoleCall` (target, calldata, the role it needs, in words), then
 * submitted by `submitRoleCall`: today the sender must hold the role itself and sends directly. When
 * the role is held by a contract (a TimelockController or a multisig), the error prints the target and
 * calldata to propose there; a timelock schedule/execute path belongs in `submitRoleCall` and nothing
 * else has to change. `--calldata` prints the same without sending.
 */
import { getAddress, ZeroHash, id, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { IndexVault__factory, SanxController__factory } from "../../typechain-types";
import type { DeploymentRecord } from "./deployment";
import { fail } from "./args";
import { describeRevert } from "./revert";
import { vaultEntry, type IndexName } from "./ssi-chain";

export const ROLES = { GUARDIAN: id("GUARDIAN_ROLE"), ADMIN: ZeroHash } as const;
export type RoleName = keyof typeof ROLES;

const ROLE_WORDS: Record<RoleName, string> = {
  GUARDIAN: "GUARDIAN_ROLE (the guardian)",
  ADMIN: "DEFAULT_ADMIN_ROLE (governance: the admin, a timelock or multisig in production)",
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
}

/** The record's holder of `role` (for messages), from ssi:deploy's parameters. */
function recordedHolder(record: DeploymentRecord, role: RoleName): string {
  return role === "ADMIN" ? record.protocol.admin : record.protocol.guardian;
}

/** `call` as text a multisig or timelock proposal needs. */
export function proposal(call: RoleCall): { target: string; value: string; data: string; role: string; what: string } {
  return { target: call.target, value: "0", data: call.data, role: ROLE_WORDS[call.role], what: call.what };
}

/**
 * Sends `call` from `sender` after checking the role and simulating; nothing is sent on any failure.
 * @returns the transaction hash
 */
export async function submitRoleCall(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, call: RoleCall, sender: Signer): Promise<string> {
  const from = await sender.getAddress();
  if (!(await call.hasRole(from))) {
    const holder = recordedHolder(record, call.role);
    const holderIsContract = (await hre.ethers.provider.getCode(holder)) !== "0x";
    const how = holderIsContract
      ? `the record's holder ${holder} is a contract (a timelock or multisig): propose there the call to ${call.target} with calldata ${call.data} (or run with --calldata)`
      : `send from the account that holds it (the record names ${holder}${hre.network.name === "hardhat" || hre.network.name === "localhost" ? `: --from ${holder}` : ": its key as DEPLOYER_KEY"})`;
    fail(`${call.what} needs ${ROLE_WORDS[call.role]} on the ${call.contractName} ${call.target}; ${from} does not hold it: ${how}. Nothing was sent`);
  }
  try {
    await call.simulate(from);
  } catch (e) {
    fail(`${call.what} would revert: ${describeRevert(e) ?? (e as Error).message}; nothing was sent`);
  }
  const tx = await sender.sendTransaction({ to: call.target, data: call.data });
  await tx.wait();
  return tx.hash;
}

// ---------------------------------------------------------------------------------------------
// The calls
// ---------------------------------------------------------------------------------------------

function vaultCall(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, index: IndexName, method: "pause" | "unpause"): RoleCall {
  const { vault: target, symbol } = vaultEntry(record, index);
  const vault = IndexVault__factory.connect(target, hre.ethers.provider);
  const role: RoleName = method === "pause" ? "GUARDIAN" : "ADMIN";
  return {
    what: method === "pause" ? `pausing ${symbol} (mint and trading stop; redemption stays open)` : `unpausing ${symbol}`,
    contractName: `${symbol} vault`,
    target,
    data: vault.interface.encodeFunctionData(method as "pause"),
    role,
    hasRole: (a) => vault.hasRole(ROLES[role], a),
    simulate: (from) => vault[method].staticCall({ from }),
  };
}

function controllerOf(hre: HardhatRuntimeEnvironment, record: DeploymentRecord) {
  const sanx = (record as DeploymentRecord & { sanx?: { controller?: string } }).sanx;
  if (sanx?.controller === undefined) fail(`deployments/${record.network}.json has no SANX deployment: run sanx:deploy first`);
  return SanxController__factory.connect(sanx.controller, hre.ethers.provider);
}

function controllerCall(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, method: "pause" | "unpause"): RoleCall {
  const controller = controllerOf(hre, record);
  const role: RoleName = method === "pause" ? "GUARDIAN" : "ADMIN";
  return {
    what: method === "pause" ? "pressing the red button on the SanxController (no new actions, no executions)" : "lifting the red button on the SanxController",
    contractName: "SanxController",
    target: controller.target as string,
    data: controller.interface.encodeFunctionData(method as "pause"),
    role,
    hasRole: (a) => controller.hasRole(ROLES[role], a),
    simulate: (from) => controller[method].staticCall({ from }),
  };
}

/** Pause (guardian) or unpause (governance) one index vault. */
export async function vaultPauseCalls(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, index: IndexName, pause: boolean): Promise<{ calls: RoleCall[]; already: string[] }> {
  const { vault, symbol } = vaultEntry(record, index);
  const paused = await IndexVault__factory.connect(vault, hre.ethers.provider).paused();
  if (paused === pause) return { calls: [], already: [`${symbol} is already ${pause ? "paused" : "unpaused"}`] };
  return { calls: [vaultCall(hre, record, index, pause ? "pause" : "unpause")], already: [] };
}

/**
 * The SANX red button (guardian): the SanxController's pause (no new actions, no executions) and the
 * SANX vault's pause (no mint, no trading; redemption stays open). Lifting it (governance) unpauses
 * both. A part already in the wanted state is skipped and reported.
 */
export async function redButtonCalls(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, press: boolean): Promise<{ calls: RoleCall[]; already: string[] }> {
  const controller = controllerOf(hre, record);
  const calls: RoleCall[] = [];
  const already: string[] = [];
  if ((await controller.paused()) === press) already.push(`the SanxController is already ${press ? "paused" : "live"}`);
  else calls.push(controllerCall(hre, record, press ? "pause" : "unpause"));
  const vault = await vaultPauseCalls(hre, record, "SANX", press);
  return { calls: [...calls, ...vault.calls], already: [...already, ...vault.already] };
}

/** Governance cancels the SANX action pending for `asset` (a token address). */
export async function cancelActionCall(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, asset: string, label: string): Promise<RoleCall> {
  const controller = controllerOf(hre, record);
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

/**
 * `ussi:deploy`: USSI through its Ignition module (the one USSI operation that needs the Hardhat
 * runtime: `hre.ignition.deploy`), with its roles, wiring and limits verified on chain through the
 * chain layer (`chain/ussi.ts`), and the `ussi` part of `deployments/<network>.json` written.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import UssiModule from "../../ignition/modules/Ussi";
import { fail } from "./args";
import { clientFromHre } from "./client";
import { chainId as chainIdOf, checkPowerBeforeDeploy, signerKeysFromEnv } from "../../chain/ssi";
import { IERC20Metadata__factory, IIndexValuation__factory, TimelockController__factory, UssiVault__factory } from "../../typechain-types";
import { TIMELOCK_ROLES, USSI_ROLES, WAD, loadUssiParameters, readRecord, recordFile, recordInputs, type Log, type UssiPart } from "../../chain/ussi";

const quiet: Log = () => undefined;

// ---------------------------------------------------------------------------------------------
// ussi:deploy
// ---------------------------------------------------------------------------------------------

export interface UssiDeployOptions {
  /** Overrides the record's tokens.USDC. */
  usdc?: string;
  /** Overrides the record's products.MAG7.vault. */
  mag7?: string;
  /** Testnets: accept a plain key or the deployer as the timelock's proposer/executor (warned loudly and recorded). */
  allowEoaAdmin?: boolean;
  log?: Log;
}

function addressList(v: unknown, name: string, network: string): string[] {
  if (!Array.isArray(v) || v.some((a) => typeof a !== "string"))
    fail(`ignition/parameters/${network}.json: Ussi.${name} must be a list of addresses`);
  return (v as string[]).map((a) => {
    try {
      return getAddress(a);
    } catch {
      fail(`ignition/parameters/${network}.json: Ussi.${name} holds "${a}", not an address`);
    }
  });
}

/**
 * Deploys USSI through the Ussi Ignition module, verifies every role, the wiring and the limits on
 * chain (fails loudly when any is wrong), and writes the `ussi` part of `deployments/<network>.json`.
 */
export async function deployUssi(hre: HardhatRuntimeEnvironment, opts: UssiDeployOptions = {}): Promise<UssiPart> {
  const log = opts.log ?? quiet;
  const network = hre.network.name;
  const chainId = await chainIdOf(clientFromHre(hre));
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) fail(`network "${network}" has no account to deploy from: set DEPLOYER_KEY`);

  // == Checks ==
  const params = loadUssiParameters(network);
  const record = readRecord(network);
  if (record?.chainId !== undefined && record.chainId !== chainId)
    fail(`deployments/${network}.json is for chain ${String(record.chainId)}, connected to chain ${chainId}`);
  const fromRecord = recordInputs(record);
  const usdc = opts.usdc ?? fromRecord.usdc;
  const mag7 = opts.mag7 ?? fromRecord.mag7;
  if (usdc === undefined)
    fail(`deployments/${network}.json names no USDC token (tokens.USDC): run ssi:deploy first or pass --usdc ADDRESS`);
  if (mag7 === undefined)
    fail(`deployments/${network}.json names no MAG7.ssi vault (products.MAG7): run ssi:deploy first or pass --mag7 ADDRESS`);
  for (const [name, a] of [
    ["USDC", usdc],
    ["MAG7.ssi", mag7],
  ] as const) {
    if ((await hre.ethers.provider.getCode(a)) === "0x") fail(`${name} ${a} has no code on chain ${chainId}: run ssi:deploy first`);
  }
  const usdcDecimals = Number(await IERC20Metadata__factory.connect(usdc, hre.ethers.provider).decimals());
  if (usdcDecimals > 18) fail(`USDC ${usdc} has ${usdcDecimals} decimals; the vault takes at most 18`);
  try {
    await IIndexValuation__factory.connect(mag7, hre.ethers.provider).navPerShare();
  } catch (e) {
    fail(`MAG7.ssi ${mag7} does not answer navPerShare(): ${(e as Error).message.split("\n")[0]}`);
  }

  let signers = params["signers"];
  if (!Array.isArray(signers) || signers.length === 0) {
    const keys = signerKeysFromEnv();
    if (keys === undefined)
      fail(`ignition/parameters/${network}.json lists no Ussi.signers and ORACLE_SIGNER_KEYS is not set: set one of them`);
    signers = keys.map((k) => k.address);
  }
  const addr = (v: unknown, name: string) => {
    if (typeof v !== "string") fail(`ignition/parameters/${network}.json: Ussi.${name} is required (an address)`);
    try {
      return getAddress(v);
    } catch {
      fail(`ignition/parameters/${network}.json: Ussi.${name} "${v}" is not an address`);
    }
  };
  const want = {
    minDelay: BigInt((params["minDelay"] as bigint | number | undefined) ?? 86_400n),
    // No default: the deployer is never made the timelock's proposer or executor behind the user's back.
    proposers: addressList(params["proposers"] ?? fail(`ignition/parameters/${network}.json names no proposers for the USSI timelock (Ussi.proposers or $global.proposers): set your multisig`), "proposers", network),
    executors: addressList(params["executors"] ?? fail(`ignition/parameters/${network}.json names no executors for the USSI timelock (Ussi.executors or $global.executors): set your multisig`), "executors", network),
    strategy: addr(params["strategy"], "strategy"),
    risk: addr(params["risk"], "risk"),
    signers: addressList(signers, "signers", network),
    quorum: BigInt((params["quorum"] as bigint | number | undefined) ?? 0n),
    limits: {
      maxNavAge: BigInt((params["maxNavAge"] as bigint | number | undefined) ?? 86_400n),
      maxNavChangeBps: BigInt((params["maxNavChangeBps"] as bigint | number | undefined) ?? 50n),
      maxNetDeltaBps: BigInt((params["maxNetDeltaBps"] as bigint | number | undefined) ?? 200n),
      bufferTargetBps: BigInt((params["bufferTargetBps"] as bigint | number | undefined) ?? 500n),
      indexHaircutBps: BigInt((params["indexHaircutBps"] as bigint | number | undefined) ?? 100n),
      instantCapBps: BigInt((params["instantCapBps"] as bigint | number | undefined) ?? 100n),
      minRequestUsd: BigInt((params["minRequestUsd"] as bigint | number | undefined) ?? 10n * WAD),
    },
  };
  if (want.minDelay < 86_400n) fail(`Ussi.minDelay ${want.minDelay} s is below the vault's minimum admin delay of 86400 s (1 day)`);
  if (want.strategy === want.risk)
    fail(`Ussi.strategy and Ussi.risk are both ${want.strategy}: the vault keeps STRATEGY_ROLE and RISK_ROLE on different accounts`);
  if (want.quorum < 1n || want.quorum > BigInt(want.signers.length))
    fail(`Ussi.quorum ${want.quorum} must be between 1 and the ${want.signers.length} signers`);
  if (want.proposers.length === 0 || want.executors.length === 0)
    fail(`Ussi.proposers and Ussi.executors must each name at least one account (nobody could run the timelock)`);
  const warnings = await checkPowerBeforeDeploy(clientFromHre(hre), {
    gp: { minDelay: want.minDelay, proposers: want.proposers, executors: want.executors, guardian: want.risk },
    roles: { strategy: want.strategy, risk: want.risk },
    deployer: deployer.address,
    allowEoaAdmin: opts.allowEoaAdmin === true,
    what: "ussi:deploy",
  });
  for (const w of warnings) log(w);

  // == Deploy ==
  const t0 = Date.now();
  const { limits: wantLimits, ...roles } = want;
  const parameters = { Ussi: { ...roles, ...wantLimits, usdc, mag7 } };
  const deployed = await hre.ignition.deploy(UssiModule, { parameters: parameters as never, displayUi: false });
  const vault = UssiVault__factory.connect(await deployed.vault.getAddress(), hre.ethers.provider);
  const timelock = TimelockController__factory.connect(await deployed.timelock.getAddress(), hre.ethers.provider);
  log(
    `USSI deployed through Ignition (module Ussi) in ${
      Date.now() - t0
    } ms: vault ${await vault.getAddress()}, timelock ${await timelock.getAddress()}`
  );

  // == Verify on chain ==
  const problems: string[] = [];
  const role = async (
    c: { hasRole(r: string, a: string): Promise<boolean> },
    what: string,
    r: string,
    name: string,
    who: string,
    expected = true
  ) => {
    if ((await c.hasRole(r, who)) !== expected) problems.push(`${what}: ${who} ${expected ? "lacks" : "holds"} ${name}`);
  };
  const timelockAddress = await timelock.getAddress();
  await role(vault, "UssiVault", USSI_ROLES.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", timelockAddress);
  await role(vault, "UssiVault", USSI_ROLES.STRATEGY, "STRATEGY_ROLE", want.strategy);
  await role(vault, "UssiVault", USSI_ROLES.RISK, "RISK_ROLE", want.risk);
  await role(vault, "UssiVault", USSI_ROLES.STRATEGY, "STRATEGY_ROLE", want.risk, false);
  await role(vault, "UssiVault", USSI_ROLES.RISK, "RISK_ROLE", want.strategy, false);
  await role(vault, "UssiVault", USSI_ROLES.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", deployer.address, false);
  await role(timelock, "TimelockController", USSI_ROLES.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", deployer.address, false);
  await role(timelock, "TimelockController", USSI_ROLES.DEFAULT_ADMIN, "DEFAULT_ADMIN_ROLE", timelockAddress);
  for (const p of want.proposers) await role(timelock, "TimelockController", TIMELOCK_ROLES.PROPOSER, "PROPOSER_ROLE", p);
  for (const e of want.executors) await role(timelock, "TimelockController", TIMELOCK_ROLES.EXECUTOR, "EXECUTOR_ROLE", e);
  const named = (list: string[]) => list.some((a) => a.toLowerCase() === deployer.address.toLowerCase());
  if (!named(want.proposers)) await role(timelock, "TimelockController", TIMELOCK_ROLES.PROPOSER, "PROPOSER_ROLE", deployer.address, false);
  if (!named(want.executors)) await role(timelock, "TimelockController", TIMELOCK_ROLES.EXECUTOR, "EXECUTOR_ROLE", deployer.address, false);
  const minDelay = await timelock.getMinDelay();
  if (minDelay !== want.minDelay) problems.push(`TimelockController: min delay ${minDelay} s, expected ${want.minDelay} s`);
  if ((await vault.usdc()) !== getAddress(usdc)) problems.push(`UssiVault: usdc ${await vault.usdc()}, expected ${usdc}`);
  if ((await vault.indexToken()) !== getAddress(mag7)) problems.push(`UssiVault: indexToken ${await vault.indexToken()}, expected ${mag7}`);
  if ((await vault.indexValuation()) !== getAddress(mag7))
    problems.push(`UssiVault: indexValuation ${await vault.indexValuation()}, expected ${mag7}`);
  for (const s of want.signers) if (!(await vault.isSigner(s))) problems.push(`UssiVault: ${s} is not a NAV signer`);
  if ((await vault.signerCount()) !== BigInt(want.signers.length))
    problems.push(`UssiVault: ${await vault.signerCount()} signers, expected ${want.signers.length}`);
  if ((await vault.quorum()) !== want.quorum) problems.push(`UssiVault: quorum ${await vault.quorum()}, expected ${want.quorum}`);
  const limits = await vault.limits();
  for (const k of ["maxNavAge", "maxNavChangeBps", "maxNetDeltaBps", "bufferTargetBps", "indexHaircutBps", "instantCapBps", "minRequestUsd"] as const) {
    if (limits[k] !== want.limits[k]) problems.push(`UssiVault: limit ${k} ${limits[k]}, expected ${want.limits[k]}`);
  }
  if (problems.length > 0) fail(`USSI deployment verification FAILED on chain:\n  - ${problems.join("\n  - ")}`);
  log(
    `roles, wiring and limits verified on chain (admin = timelock with ${minDelay} s delay, NAV quorum ${want.quorum}-of-${want.signers.length})`
  );

  // == Record ==
  const part: UssiPart = {
    vault: await vault.getAddress(),
    timelock: timelockAddress,
    usdc: getAddress(usdc),
    usdcDecimals,
    mag7: getAddress(mag7),
    minDelay: Number(minDelay),
    proposers: want.proposers,
    executors: want.executors,
    ...(warnings.length > 0 ? { warnings } : {}),
    strategy: want.strategy,
    risk: want.risk,
    signers: want.signers,
    quorum: Number(want.quorum),
    limits: {
      maxNavAge: Number(limits.maxNavAge),
      maxNavChangeBps: Number(limits.maxNavChangeBps),
      maxNetDeltaBps: Number(limits.maxNetDeltaBps),
      bufferTargetBps: Number(limits.bufferTargetBps),
      indexHaircutBps: Number(limits.indexHaircutBps),
      instantCapBps: Number(limits.instantCapBps),
      minRequestUsd: limits.minRequestUsd.toString(),
    },
    block: await hre.ethers.provider.getBlockNumber(),
  };
  const file = recordFile(network);
  const current = readRecord(network) ?? { network, chainId };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...current, ussi: part }, null, 2) + "\n");
  log(`deployment record updated: ${path.relative(process.cwd(), file)} (key "ussi")`);
  return part;
}

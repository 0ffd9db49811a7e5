import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { signQuorum, quorumDomain } from "../../../chain/quorum";
import { NAV_REPORT_TYPES, NAV_STEP_TYPES, type NavReport } from "../../../src/ussi/navReport";
import type { MockERC20, TimelockController, UssiMockIndex, UssiVault } from "../../../typechain-types";

export const WAD = 10n ** 18n;
export const USDC = 10n ** 6n; // one whole USDC in base units
export const ADMIN_DELAY = 2n * 24n * 3600n; // {s} the timelock's delay in the fixture
export const MAX_NAV_AGE = 3600n; // {s}
export const INDEX_HAIRCUT_BPS = 100n;
export const MAX_NAV_CHANGE_BPS = 50n; // a delta-neutral book: tens of bps per report
export const INSTANT_CAP_BPS = 100n; // 1% of NAV per epoch
export const MIN_REQUEST_USD = 10n * WAD;
export const LIMITS = {
  maxNavAge: MAX_NAV_AGE,
  maxNavChangeBps: MAX_NAV_CHANGE_BPS,
  maxNetDeltaBps: 200n,
  bufferTargetBps: 500n,
  indexHaircutBps: INDEX_HAIRCUT_BPS,
  instantCapBps: INSTANT_CAP_BPS,
  minRequestUsd: MIN_REQUEST_USD,
};

/** The UssiVault factory with its external library (UssiNavLib) deployed and linked. */
export async function vaultFactory() {
  const lib = await ethers.deployContract("UssiNavLib");
  return ethers.getContractFactory("UssiVault", { libraries: { UssiNavLib: await lib.getAddress() } });
}

export interface Fixture {
  vault: UssiVault;
  usdc: MockERC20;
  index: UssiMockIndex;
  timelock: TimelockController;
  deployer: HardhatEthersSigner;
  gov: HardhatEthersSigner;
  strategy: HardhatEthersSigner;
  risk: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  venue: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  oracleSigners: HardhatEthersSigner[];
}

/** Vault with a 2-of-3 signer set, a 2-day timelock admin, no report yet (NAV stale). */
type Addressable = { getAddress(): Promise<string> };

/**
 * The UssiVault constructor config of the fixture: its USDC, MAG7.ssi mock (token and valuation),
 * timelock admin, strategy, risk, 2-of-3 signers and LIMITS; `overrides` replaces any field.
 */
export async function vaultConfig(
  parts: { usdc: Addressable; index: Addressable; timelock: Addressable; strategy: { address: string }; risk: { address: string }; oracleSigners: readonly { address: string }[] },
  overrides: Record<string, unknown> = {},
) {
  return {
    usdc: await parts.usdc.getAddress(),
    indexToken: await parts.index.getAddress(),
    indexValuation: await parts.index.getAddress(),
    admin: await parts.timelock.getAddress(),
    strategy: parts.strategy.address,
    risk: parts.risk.address,
    signers: parts.oracleSigners.map((s) => s.address),
    quorum: 2,
    limits: LIMITS,
    ...overrides,
  };
}

export async function deployVault(): Promise<Fixture> {
  const [deployer, gov, strategy, risk, alice, bob, carol, venue, outsider, s1, s2, s3] = await ethers.getSigners();
  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const index = await ethers.deployContract("UssiMockIndex", [2n * WAD]);
  const timelock = await ethers.deployContract("TimelockController", [ADMIN_DELAY, [gov!.address], [gov!.address], ethers.ZeroAddress]);
  const oracleSigners = [s1!, s2!, s3!];
  const factory = await vaultFactory();
  const vault = (await factory.deploy(await vaultConfig({ usdc, index, timelock, strategy: strategy!, risk: risk!, oracleSigners }))) as unknown as UssiVault;
  for (const user of [alice!, bob!, carol!, strategy!]) {
    await usdc.mint(user.address, 10_000_000n * USDC);
    await usdc.connect(user).approve(await vault.getAddress(), ethers.MaxUint256);
    await index.mint(user.address, 1_000_000n * WAD);
    await index.connect(user).approve(await vault.getAddress(), ethers.MaxUint256);
  }
  return {
    vault,
    usdc,
    index,
    timelock,
    deployer: deployer!,
    gov: gov!,
    strategy: strategy!,
    risk: risk!,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    venue: venue!,
    outsider: outsider!,
    oracleSigners,
  };
}

/** `deployVault` plus an accepted round-1 report at navPerToken 1.00 and a whitelisted venue. */
export async function deployVaultWithNav(): Promise<Fixture> {
  const f = await deployVault();
  await pushReport(f, { round: 1n, navPerToken: WAD });
  await viaTimelock(f, await f.vault.getAddress(), f.vault.interface.encodeFunctionData("setVenue", [f.venue.address, true]));
  // The timelock wait made the NAV stale: refresh it.
  await pushReport(f, { round: 2n, navPerToken: WAD });
  return f;
}

/** A report consistent by construction: nav = spot + perpPnl + funding + cash with cash = 5% of nav. */
export async function makeReport(overrides: Partial<NavReport> & { round: bigint }): Promise<NavReport> {
  const nav = overrides.nav ?? 1_000_000n * WAD;
  const perpPnl = overrides.perpPnl ?? -2_000n * WAD;
  const fundingAccrued = overrides.fundingAccrued ?? 3_000n * WAD;
  const cash = nav / 20n;
  return {
    nav,
    navPerToken: WAD,
    spotValue: overrides.spotValue ?? nav - cash - perpPnl - fundingAccrued,
    perpPnl,
    fundingAccrued,
    netDeltaBps: 10n,
    timestamp: BigInt(await time.latest()),
    ...overrides,
  };
}

/** The report's fields in the Solidity struct order (for event argument matching). */
export function reportTuple(r: NavReport): bigint[] {
  return [r.round, r.nav, r.navPerToken, r.spotValue, r.perpPnl, r.fundingAccrued, r.netDeltaBps, r.timestamp];
}

/** Signs under the NAV-report domain (`navReportDomain()`), not the permit domain. */
export async function signReport(f: Fixture, report: NavReport, signers = f.oracleSigners.slice(0, 2)): Promise<string[]> {
  return signQuorum(signers, await quorumDomain({ eip712Domain: () => f.vault.navReportDomain() }), NAV_REPORT_TYPES, { ...report });
}

/** Signs `report` as an intermediate step (EIP-712 `NavStep`, NAV-report domain). */
export async function signStep(f: Fixture, report: NavReport, signers = f.oracleSigners.slice(0, 2)): Promise<string[]> {
  return signQuorum(signers, await quorumDomain({ eip712Domain: () => f.vault.navReportDomain() }), NAV_STEP_TYPES, { ...report });
}

/** Signs (2 of 3) and submits a report built by `makeReport`; returns the submitted report. */
export async function pushReport(f: Fixture, overrides: Partial<NavReport> & { round: bigint }): Promise<NavReport> {
  const report = await makeReport(overrides);
  await f.vault.connect(f.outsider).submitNavReport(report, await signReport(f, report));
  return report;
}

/** Requests a USDC deposit for `user`; returns the request id. */
export async function requestDeposit(f: Fixture, user: HardhatEthersSigner, usdcIn: bigint): Promise<bigint> {
  const id = await f.vault.requestCount();
  await f.vault.connect(user).requestDeposit(usdcIn);
  return id;
}

/** Requests a redemption of `shares` for `user`; returns the request id. */
export async function requestRedeem(f: Fixture, user: HardhatEthersSigner, shares: bigint): Promise<bigint> {
  const id = await f.vault.requestCount();
  await f.vault.connect(user).requestRedeem(shares);
  return id;
}

/** The next round to report. */
export async function nextRound(f: Fixture): Promise<bigint> {
  return (await f.vault.lastAcceptedReport()).round + 1n;
}

/** Pushes the next round at `navPerToken` (settling the open epoch). */
export async function settleAt(f: Fixture, navPerToken: bigint): Promise<NavReport> {
  await time.increase(60);
  return pushReport(f, { round: await nextRound(f), navPerToken });
}

/** `deployVaultWithNav` plus Alice, Bob and Carol holding 1,000 USSI each (deposited and claimed at 1.00). */
export async function deployVaultWithHolders(): Promise<Fixture> {
  const f = await deployVaultWithNav();
  const ids = [];
  for (const u of [f.alice, f.bob, f.carol]) ids.push(await requestDeposit(f, u, 1_000n * USDC));
  await settleAt(f, WAD);
  for (const [i, u] of [f.alice, f.bob, f.carol].entries()) await f.vault.connect(u).claim(ids[i]!);
  return f;
}

let salt = 0n;
/** Schedules `data` on `target` through the admin timelock, waits out the delay, executes. */
export async function viaTimelock(f: Fixture, target: string, data: string) {
  const s = ethers.toBeHex(++salt, 32);
  await f.timelock.connect(f.gov).schedule(target, 0, data, ethers.ZeroHash, s, ADMIN_DELAY);
  await time.increase(ADMIN_DELAY);
  return f.timelock.connect(f.gov).execute(target, 0, data, ethers.ZeroHash, s);
}

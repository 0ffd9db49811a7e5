import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { signQuorum, quorumDomain } from "../../../tasks/lib/quorum";
import { SIGNAL_EIP712_TYPES, ZONE_CODE, type SignalStruct } from "../../../src/sanx/signalReport";

export const DAY = 86_400n;
export const WAD = 10n ** 18n;
export const OPP = ZONE_CODE.OPPORTUNITY;
export const DNG = ZONE_CODE.DANGER;
/** ActionKind enum of ISanxController. */
export const Kind = { None: 0n, Add: 1n, Remove: 2n } as const;
/** IgnoreReason enum of ISanxController. */
export const Ignore = { AlreadyMember: 0n, NotMember: 1n, SameKindPending: 2n, Paused: 3n } as const;
/** CancelReason enum of ISanxController. */
export const Cancel = { OppositeSignal: 0n, Governance: 1n } as const;

export const MAX_FUTURE_SKEW = 15n * 60n; // {s}
export const MAX_VALIDITY = 2n * DAY; // {s}

/** The current UTC day number of the chain. */
export async function today(): Promise<bigint> {
  return BigInt(await time.latest()) / DAY;
}

/**
 * Controller alone, with `source` holding SIGNAL_SOURCE_ROLE so tests drive `onSignal` directly,
 * and a recording basket mock. Three asset addresses.
 */
export async function controllerFixture() {
  const [admin, guardian, source, anyone, other] = await ethers.getSigners();
  const controller = await ethers.deployContract("SanxController", [admin!.address, guardian!.address]);
  const basket = await ethers.deployContract("SanxBasketMock");
  await controller.setBasket(await basket.getAddress());
  await controller.grantRole(await controller.SIGNAL_SOURCE_ROLE(), source!.address);
  const tokens = await Promise.all(
    ["AAVE", "UNI", "MKR"].map((s) => ethers.deployContract("MockERC20", [s, s, 18])),
  );
  const assets = await Promise.all(tokens.map((t) => t.getAddress()));
  return { controller, basket, admin: admin!, guardian: guardian!, source: source!, anyone: anyone!, other: other!, assets };
}

/** Oracle (3-of-4 signers) wired to a controller and basket; universe = the first two assets. */
export async function oracleFixture() {
  const base = await controllerFixture();
  const all = await ethers.getSigners();
  const signers = all.slice(10, 14);
  const outsider = all[14]!;
  const relayer = all[15]!;
  const oracle = await ethers.deployContract("SignalOracle", [
    base.admin.address,
    signers.map((s) => s.address),
    3,
    await base.controller.getAddress(),
    MAX_FUTURE_SKEW,
    MAX_VALIDITY,
  ]);
  await base.controller.grantRole(await base.controller.SIGNAL_SOURCE_ROLE(), await oracle.getAddress());
  await oracle.updateUniverse([base.assets[0]!, base.assets[1]!], []);
  const domain = await quorumDomain(oracle);
  return { ...base, oracle, signers, outsider, relayer, domain };
}

/** A valid-looking signal for `asset`: dated yesterday, expiring in an hour, numbers agreeing with the zone. */
export async function makeSignal(asset: string, zone: bigint, round: bigint, over: Partial<SignalStruct> = {}): Promise<SignalStruct> {
  const now = BigInt(await time.latest());
  const threshold = 15n * WAD / 10n; // 1.5
  const mvrv = zone === DNG ? 2n * WAD : WAD; // DANGER above, OPPORTUNITY below the threshold
  return { asset, zone, day: now / DAY - 1n, round, mvrv, threshold, expiresAt: now + 3600n, ...over };
}

export async function sign(signers: readonly Signer[], domain: Awaited<ReturnType<typeof quorumDomain>>, s: SignalStruct): Promise<string[]> {
  return signQuorum(signers, domain, SIGNAL_EIP712_TYPES, { ...s });
}

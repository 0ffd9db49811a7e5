import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { signQuorum, quorumDomain } from "../../../chain/quorum";
import { SIGNAL_EIP712_TYPES, ZONE_CODE, type SignalStruct } from "../../../src/sanx/signalReport";
import { deployGovernance, deployTokensAndFeeds, deployOracle, deployVault, makeReport, ROLES, signReport } from "../../fixtures/contracts";

export const DAY = 86_400n;
export const WAD = 10n ** 18n;
export const OPP = ZONE_CODE.OPPORTUNITY;
export const DNG = ZONE_CODE.DANGER;
/** ActionKind enum of ISanxController. */
export const Kind = { None: 0n, Add: 1n, Remove: 2n } as const;
/** IgnoreReason enum of ISanxController. */
export const Ignore = { AlreadyMember: 0n, NotMember: 1n, SameKindPending: 2n, Paused: 3n, OutOfOrder: 4n } as const;
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
  const gov = await deployGovernance(ethers, admin!);
  const controller = await ethers.deployContract("SanxController", [gov.address, guardian!.address]);
  const basket = await ethers.deployContract("SanxBasketMock");
  await gov.batch([
    [controller, "setBasket", [await basket.getAddress()]],
    [controller, "grantRole", [await controller.SIGNAL_SOURCE_ROLE(), source!.address]],
  ]);
  const tokens = await Promise.all(
    ["AAVE", "UNI", "MKR"].map((s) => ethers.deployContract("MockERC20", [s, s, 18])),
  );
  const assets = await Promise.all(tokens.map((t) => t.getAddress()));
  return { controller, basket, gov, admin: admin!, guardian: guardian!, source: source!, anyone: anyone!, other: other!, assets };
}

/** Oracle (3-of-4 signers) wired to a controller and basket; universe = the first two assets. */
export async function oracleFixture() {
  const base = await controllerFixture();
  const all = await ethers.getSigners();
  const signers = all.slice(10, 14);
  const outsider = all[14]!;
  const relayer = all[15]!;
  const oracle = await ethers.deployContract("SignalOracle", [
    base.gov.address,
    signers.map((s) => s.address),
    3,
    await base.controller.getAddress(),
    MAX_FUTURE_SKEW,
    MAX_VALIDITY,
  ]);
  await base.gov.batch([
    [base.controller, "grantRole", [await base.controller.SIGNAL_SOURCE_ROLE(), await oracle.getAddress()]],
    [oracle, "updateUniverse", [[base.assets[0]!, base.assets[1]!], []]],
  ]);
  const domain = await quorumDomain(oracle);
  return { ...base, oracle, signers, outsider, relayer, domain };
}

/** A valid-looking signal for `asset`: dated yesterday, expiring in an hour, numbers agreeing with the zone. */
export async function makeSignal(asset: string, zone: bigint, over: Partial<SignalStruct> = {}): Promise<SignalStruct> {
  const now = BigInt(await time.latest());
  const threshold = 15n * WAD / 10n; // 1.5
  const mvrv = zone === DNG ? 2n * WAD : WAD; // DANGER above, OPPORTUNITY below the threshold
  return { asset, zone, day: now / DAY - 1n, mvrv, threshold, expiresAt: now + 3600n, ...over };
}

export async function sign(signers: readonly Signer[], domain: Awaited<ReturnType<typeof quorumDomain>>, s: SignalStruct): Promise<string[]> {
  return signQuorum(signers, domain, SIGNAL_EIP712_TYPES, { ...s });
}

/** The SANX sample market: the sample data's DeFi symbols (so tasks match them by ERC-20 symbol) and USDC. */
export const SANX_SPECS = [
  { symbol: "UNI", decimals: 18, priceUsd: "10" },
  { symbol: "AAVE", decimals: 18, priceUsd: "300" },
  { symbol: "COMP", decimals: 18, priceUsd: "45" },
  { symbol: "USDC", decimals: 6, priceUsd: "1" },
] as const;

/**
 * The real SANX stack: PriceRegistry + WeightOracle (2-of-3) + IndexVault, SanxController,
 * SignalOracle (2-of-3, universe UNI, AAVE, COMP), and the SanxBasket gate holding the vault's
 * ORACLE_ROLE (the WeightOracle does not). The reserve (USDC) target is pushed through the gate.
 */
export async function sanxStackFixture() {
  const all = await ethers.getSigners();
  const [admin, guardian, alice, outsider] = all as [typeof all[0], typeof all[0], typeof all[0], typeof all[0]];
  const weightSigners = all.slice(10, 13);
  const signalSigners = all.slice(13, 16);
  const gov = await deployGovernance(ethers, admin);
  const market = await deployTokensAndFeeds(ethers, gov, SANX_SPECS);
  const [uni, aave, comp, usdc] = (await Promise.all(market.tokens.map((t) => t.getAddress()))) as [string, string, string, string];
  const weightOracle = await deployOracle(ethers, gov, market.registry, weightSigners, 2);
  const vault = await deployVault(ethers, gov, market.registry, { name: "SANX", symbol: "SANX" });
  const controller = await ethers.deployContract("SanxController", [gov.address, guardian.address]);
  const signalOracle = await ethers.deployContract("SignalOracle", [
    gov.address,
    signalSigners.map((s) => s.address),
    2,
    await controller.getAddress(),
    MAX_FUTURE_SKEW,
    MAX_VALIDITY,
  ]);
  const basket = await ethers.deployContract("SanxBasket", [controller, vault, weightOracle, usdc]);
  const gate = await basket.getAddress();
  await gov.batch([
    [vault, "grantRole", [ROLES.GUARDIAN, guardian.address]],
    [controller, "grantRole", [await controller.SIGNAL_SOURCE_ROLE(), await signalOracle.getAddress()]],
    [signalOracle, "updateUniverse", [[uni, aave, comp], []]],
    [controller, "setBasket", [gate]],
    [vault, "grantRole", [ROLES.ORACLE, gate]],
  ]);
  const signalDomain = await quorumDomain(signalOracle);

  /** Signs a weight report (next round) for the gate with 2 of the 3 weight signers and relays it. */
  const pushWeights = async (tokens: string[], weights: bigint[]) => {
    const report = await makeReport(ethers, gate, (await weightOracle.lastRound(gate)) + 1n, tokens, weights);
    return weightOracle.connect(outsider).submit(report, await signReport(weightOracle, weightSigners.slice(0, 2), report));
  };
  /** Signs a signal dated `day` for `asset` with 2 of the 3 signal signers and relays it. */
  const relaySignal = async (asset: string, zone: bigint, day: bigint) => {
    const s = await makeSignal(asset, zone, { day });
    return signalOracle.connect(outsider).submitSignal(s, await sign(signalSigners.slice(1, 3), signalDomain, s));
  };
  await pushWeights([usdc], [WAD]);
  return { admin, gov, guardian, alice, outsider, market, uni, aave, comp, usdc, weightOracle, vault, controller, signalOracle, basket, gate, pushWeights, relaySignal, weightSigners, signalSigners };
}


/** Moves the chain to `ts` and re-posts every feed's answer so prices are fresh (heartbeat 1 day). */
export async function travelTo(f: { market: { feeds: { updateAnswer(a: bigint): Promise<unknown>; latestAnswer(): Promise<bigint> }[] } }, ts: bigint) {
  await time.increaseTo(ts);
  for (const feed of f.market.feeds) await feed.updateAnswer(await feed.latestAnswer());
}


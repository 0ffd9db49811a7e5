/**
 * The deployment constants the Ignition modules and the chain layer (`chain/`) share. No Ignition
 * import here: the chain layer runs without Hardhat (the keeper as a plain Node process), and every
 * module under ignition/modules imports Ignition.
 */
import { id } from "ethers";

/** The SSI products deployed as IndexVault instances. */
export const SSI_PRODUCTS = ["MAG7", "MEME", "DEFI"] as const;
export type SsiProduct = (typeof SSI_PRODUCTS)[number];

/** The Rebalancer limits when the parameters leave one out (IRebalancer.Limits; units in `rebalancerFuture`). */
export const REBALANCE_LIMIT_DEFAULTS = {
  maxSlippageBps: 100,
  toleranceBps: 50,
  cooldown: 3600,
  maxWindow: 7 * 86_400,
  feeAccrualInterval: 86_400,
  maxTradeUsd: 50_000n * 10n ** 18n,
} as const;

/** {s} The delay when the parameters name none: 2 days (the contracts refuse less than 1 day). */
export const DEFAULT_MIN_DELAY = 172_800n;

/** Role of the SanxController that may relay signals (the SignalOracle). */
export const SIGNAL_SOURCE_ROLE = id("SIGNAL_SOURCE_ROLE");

/**
 * The SANX signal as the SignalOracle (contracts/sanx/SignalOracle.sol) verifies it: the EIP-712
 * types as plain data, the struct with bigint quantities, and the zone codes. No ethers import:
 * a signer or task passes these objects to whatever EIP-712 implementation it uses.
 */
import { InputError } from "../lib/errors";

/** The EIP-712 domain name and version of the SignalOracle (chain id and address come from the deployment). */
export const SIGNAL_DOMAIN_NAME = "SANX SignalOracle";
export const SIGNAL_DOMAIN_VERSION = "1";

/** The EIP-712 primary type name. */
export const SIGNAL_PRIMARY_TYPE = "Signal";

/**
 * EIP-712 types of a signal, field order as in the contract's SIGNAL_TYPEHASH:
 * `Signal(address asset,uint8 zone,uint32 day,uint256 mvrv,uint256 threshold,uint64 expiresAt)`.
 * There is no round: the oracle's replay key is (asset, day), one signal per asset per UTC day, so
 * signals of different days never use each other up, whatever order they are relayed in.
 */
export const SIGNAL_EIP712_TYPES: Record<string, { name: string; type: string }[]> = {
  Signal: [
    { name: "asset", type: "address" },
    { name: "zone", type: "uint8" },
    { name: "day", type: "uint32" },
    { name: "mvrv", type: "uint256" },
    { name: "threshold", type: "uint256" },
    { name: "expiresAt", type: "uint64" },
  ],
};

/** A signal exactly as signed: on-chain quantities as bigint. */
export interface SignalStruct {
  /** Token address (0x-prefixed, 20 bytes). */
  readonly asset: string;
  /** Zone code: 1 = OPPORTUNITY, 2 = DANGER (see ZONE_CODE). */
  readonly zone: bigint;
  /** UTC day number of the signal: unix time / 86400, rounded down. With `asset`, the oracle's replay key. */
  readonly day: bigint;
  /** MVRV on `day` {1e18 = ratio 1}. */
  readonly mvrv: bigint;
  /** The crossed threshold: lower (OPPORTUNITY) or upper (DANGER) {1e18 = ratio 1}. */
  readonly threshold: bigint;
  /** Last second the signal may be relayed {unix s}. */
  readonly expiresAt: bigint;
}

/** The zones that are signals (NEUTRAL never reaches the chain). */
export type SignalZone = "OPPORTUNITY" | "DANGER";

/** Zone name -> on-chain code. */
export const ZONE_CODE: Readonly<Record<SignalZone, bigint>> = { OPPORTUNITY: 1n, DANGER: 2n };

/** On-chain code -> zone name; throws InputError on any other code. */
export function zoneFromCode(code: bigint | number): SignalZone {
  const c = BigInt(code);
  if (c === ZONE_CODE.OPPORTUNITY) return "OPPORTUNITY";
  if (c === ZONE_CODE.DANGER) return "DANGER";
  throw new InputError(`zone code ${c} is not a signal zone`, "use 1 (OPPORTUNITY) or 2 (DANGER)");
}

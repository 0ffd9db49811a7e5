/**
 * The USSI NAV report as signed by the oracle quorum: the EIP-712 type (mirrors
 * `IUssiVault.NavReport` and `UssiVault.NAV_REPORT_TYPEHASH`) and its bigint value type.
 * Pure data: tasks pass these to their signer (see `chain/quorum.ts`).
 */

/** A NAV report. USD values are {1e18 USD}; netDeltaBps is |net delta| in bps of NAV; timestamp is unix seconds. */
export interface NavReport {
  /** Exactly the vault's last accepted round + 1, starting at 1 (uint64): the vault refuses any other. */
  round: bigint;
  /** NAV = spotValue + perpPnl + fundingAccrued + cash (cash >= 0). */
  nav: bigint;
  /** {1e18 USD} per 1e18 USSI. */
  navPerToken: bigint;
  spotValue: bigint;
  /** Signed (int256). */
  perpPnl: bigint;
  /** Signed (int256); positive funding is earned by the short hedge. */
  fundingAccrued: bigint;
  netDeltaBps: bigint;
  /** Valuation time, unix seconds (uint64). */
  timestamp: bigint;
}

/** The EIP-712 domain name and version the vault signs under (chainId and verifyingContract come from the deployment). */
export const NAV_REPORT_DOMAIN = { name: "USSI Vault", version: "1" } as const;

/** The EIP-712 `types` object for `NavReport` (field order is part of the type hash). */
export const NAV_REPORT_TYPES = {
  NavReport: [
    { name: "round", type: "uint64" },
    { name: "nav", type: "uint256" },
    { name: "navPerToken", type: "uint256" },
    { name: "spotValue", type: "uint256" },
    { name: "perpPnl", type: "int256" },
    { name: "fundingAccrued", type: "int256" },
    { name: "netDeltaBps", type: "uint256" },
    { name: "timestamp", type: "uint64" },
  ],
};

/**
 * The EIP-712 `types` object for `NavStep`: an intermediate step of a NAV move larger than the
 * vault's maxNavChangeBps (`submitNavStep`). The `NavReport` fields under another type name, so a
 * step's signatures never verify as a settling report.
 */
export const NAV_STEP_TYPES = { NavStep: NAV_REPORT_TYPES.NavReport };

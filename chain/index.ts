/**
 * The chain layer: every operation on the protocol's contracts, one module per area, each taking a
 * `Client` (chain/client.ts) first and a deployment record where it needs addresses. No Hardhat here:
 * the tasks build a client with `clientFromHre` (tasks/lib/client.ts), the keeper with `clientFromUrl`.
 */
export * from "./client";
export * from "./errors";
export * from "./deployment";
export * from "./revert";
export * from "./governance";
export * from "./quorum";
export * from "./reports";
export * from "./market";
export * from "./testnet-feeds";
export * from "./ssi";
export * from "./rebalance";
export * from "./sanx";

// Names two modules export: the index picks one and renames the other.
export { ASSET_ALIASES } from "./deployment";
export { ASSET_ALIASES as MARKET_ASSET_ALIASES } from "./market";
export { describeRevert, roleName } from "./revert";
export { describeRevert as describeContractRevert } from "./ssi";
export { readStatus, type Log } from "./ssi";
export { readStatus as readSanxStatus } from "./sanx";

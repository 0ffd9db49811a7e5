/**
 * The chain layer: every operation on the protocol's contracts, one module per area, each taking a
 * `Client` (chain/client.ts) first and a deployment record where it needs addresses. No Hardhat here:
 * the tasks build a client with `clientFromHre` (tasks/lib/client.ts), the keeper with `clientFromUrl`.
 *
 * The shared pieces are exported by name; each product's operations under its own namespace, since
 * the products name alike what they do alike (`ssi.readStatus`, `sanx.readStatus`, `ussi.simulateThenSend`).
 * Importing a module directly (`chain/ssi`) gives the same functions.
 */
export * from "./client";
export * from "./errors";
export * from "./deployment";
export * from "./revert";
export * from "./governance";
export * from "./quorum";
export * as weightReports from "./weight-reports";
export * as report from "./report";
export * as market from "./market";
export * as marketMove from "./market-move";
export * from "./testnet-feeds";
export * as ssi from "./ssi";
export * as rebalance from "./rebalance";
export * as sanx from "./sanx";
export * as ussi from "./ussi";
export * as roles from "./roles";
export * as zap from "./zap";
export { roleName } from "./revert";

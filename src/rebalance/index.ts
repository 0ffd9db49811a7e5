/** The keeper's pure rebalance decisions (issue 3); see ./keeper.ts. */
export * from "./keeper";

// USSI off-chain engine: hedge sizing, drift, funding, NAV and the funding-rate backtest.
export * from "./fixed";
export * from "./hedge";
export * from "./nav";
export * from "./funding";
export * from "./weights";
export * from "./backtest";
export * from "./positions";
export * from "./prices";

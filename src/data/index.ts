/** The data layer: universe files, market-cap CSVs, the token list, and public API clients. */
export * from "./universe";
export * from "./token-list";
export * from "./marketcap-csv";
export * from "./http";
export * from "./coingecko";
export * from "./coinmetrics";

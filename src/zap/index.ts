/** One-token mint and redeem (issue 11): the pure quote. */
export * from "./quote";

/**
 * Chainlink USD price feeds on the testnets, used by `ssi:deploy --sample-market` for the sample tokens
 * that have one (the others get a mock feed). Sources and confidence: deployments/README.md,
 * "Testnet Chainlink feeds". `ssi:deploy` reads each feed's decimals() and latestRoundData() before
 * registering it and falls back to a mock feed (with a warning) when the read fails.
 */
export interface TestnetFeed {
  /** Chainlink proxy (AggregatorV3Interface), USD quote. */
  address: string;
  /** Pair as Chainlink names it. */
  pair: string;
  /** Staleness bound to register (s). ASSUMED, not documented: Chainlink publishes no reliable testnet heartbeat, so 1 day for every feed (the README says so). */
  heartbeat: number;
  /** false: found only in public code, not on an official Chainlink page (see the README). */
  confirmed: boolean;
}

/** Keyed by network name, then by market token symbol. */
export const TESTNET_FEEDS: Readonly<Record<string, Readonly<Record<string, TestnetFeed>>>> = {
  sepolia: {
    WETH: { address: "0x694AA1769357215DE4FAC081bf1f309aDC325306", pair: "ETH / USD", heartbeat: 86_400, confirmed: true },
    cbBTC: { address: "0x1b44F3514812d835EB1BDB0acB33d3fA3351Ee43", pair: "BTC / USD", heartbeat: 86_400, confirmed: true },
    USDC: { address: "0xA2F78ab2355fe2f984D808B5CeE7FD0A93D5270E", pair: "USDC / USD", heartbeat: 86_400, confirmed: true },
    LINK: { address: "0xc59E3633BAAC79493d908e63626716e204A45EdF", pair: "LINK / USD", heartbeat: 86_400, confirmed: false },
  },
  baseSepolia: {
    WETH: { address: "0x4aDC67696bA383F43DD60A9e78F2C97Fbbfc7cb1", pair: "ETH / USD", heartbeat: 86_400, confirmed: false },
    cbBTC: { address: "0x0FB99723Aee6f420beAD13e6bBB79b7E6F034298", pair: "BTC / USD", heartbeat: 86_400, confirmed: false },
    USDC: { address: "0xd30e2101a97dcbAeBCBC04F14C3f624E67A35165", pair: "USDC / USD", heartbeat: 86_400, confirmed: false },
    LINK: { address: "0xb113F5A928BCfF189C998ab20d753a47F9dE5A61", pair: "LINK / USD", heartbeat: 86_400, confirmed: false },
  },
};

/**
 * The sample market behind `ssi:deploy --sample-market` and the demo: the one market deployer,
 * `deployMarket` from `scripts/lib/market.ts` (faucet MockERC20 tokens with realistic decimals,
 * Chainlink-style mock feeds, Uniswap V3 pools), plus, on a testnet, the real Chainlink testnet
 * feeds of `TESTNET_FEEDS` in place of the mock feed where one exists.
 */
import type { Signer } from "ethers";
import { AggregatorV3Interface__factory } from "../../typechain-types";
import { deployMarket } from "../../scripts/lib/market";
import type { MarketPart } from "./deployment";
import type { TestnetFeed } from "./testnet-feeds";

export interface SampleMarketOptions {
  network: string;
  /** USD per whole token by market symbol (e.g. cbBTC, WETH, DOGE); one token is deployed per entry. */
  prices: Record<string, number>;
  /** Real feeds to use instead of mocks, by market symbol (testnets). */
  testnetFeeds: Readonly<Record<string, TestnetFeed>>;
  log?: (line: string) => void;
}

export async function deploySampleMarket(signer: Signer, opts: SampleMarketOptions): Promise<MarketPart> {
  const log = opts.log ?? (() => undefined);
  const market: MarketPart = await deployMarket(signer, { symbols: Object.keys(opts.prices), prices: opts.prices, network: opts.network, log });
  for (const [sym, real] of Object.entries(opts.testnetFeeds)) {
    const token = market.tokens[sym];
    if (token === undefined) continue;
    try {
      const feed = AggregatorV3Interface__factory.connect(real.address, signer);
      const decimals = Number(await feed.decimals());
      const [, answer] = await feed.latestRoundData();
      if (answer <= 0n) throw new Error(`non-positive answer ${answer}`);
      market.tokens[sym] = { ...token, feed: real.address, feedDecimals: decimals, heartbeat: real.heartbeat, feedKind: "chainlink" };
      log(`${sym}: using the Chainlink ${opts.network} feed ${real.pair} at ${real.address}${real.confirmed ? "" : " (address unconfirmed, read OK)"}`);
    } catch (e) {
      log(`${sym}: Chainlink ${real.pair} at ${real.address} could not be read (${(e as Error).message}); keeping the mock feed`);
    }
  }
  for (const t of Object.values(market.tokens)) t.feedKind ??= "mock";
  return market;
}

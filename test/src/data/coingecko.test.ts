import { expect } from "chai";
import { coinGeckoToAssets, fetchCoinGeckoMarkets, fetchCoinGeckoUniverse } from "../../../src/data/coingecko";
import { ApiError } from "../../../src/data/http";
import { computeIndex, DEFI, defineIndex, MAG7 } from "../../../src/methodology";
import { fakeFetch } from "./fake-fetch";

// Recorded (hand-written to the documented schema) /coins/markets pages for per_page=3:
// page 1 = BTC, ETH, USDT; page 2 = DOGE, WBTC, a second "btc" (bridged, tiny cap); page 3 = one
// coin with market_cap 0. Pages 1-2 are full (3 = per_page), page 3 is short, so it is the last.
function markets(url: URL) {
  if (url.pathname !== "/api/v3/coins/markets") return undefined;
  const cat = url.searchParams.get("category");
  if (cat === "meme-token") return { file: "coingecko/markets-category-meme-token.json" };
  if (cat === "stablecoins") return { file: "coingecko/markets-category-stablecoins.json" };
  if (cat === "wrapped-tokens") return { file: "coingecko/markets-category-wrapped-tokens.json" };
  if (cat !== null) return { file: "coingecko/markets-category-empty.json" };
  return { file: `coingecko/markets-usd-per3-page${url.searchParams.get("page")}.json` };
}

describe("#fetchCoinGeckoMarkets", () => {
  it("sends vs_currency=usd, market-cap order, per_page, page and the demo key header; pages until a short page", async () => {
    const { fetch, calls } = fakeFetch(markets);
    const m = await fetchCoinGeckoMarkets({ fetch, apiKey: "demo-key", perPage: 3, maxPages: 10 });
    expect(m.map((x) => x.id)).to.deep.equal(["bitcoin", "ethereum", "tether", "dogecoin", "wrapped-bitcoin", "bitcoin-on-some-chain", "new-listing-token"]);
    expect(calls.map((c) => c.url.searchParams.get("page"))).to.deep.equal(["1", "2", "3"]);
    expect(calls[0]!.url.origin).to.equal("https://api.coingecko.com");
    expect(Object.fromEntries(calls[0]!.url.searchParams)).to.deep.equal({ vs_currency: "usd", order: "market_cap_desc", per_page: "3", page: "1" });
    expect(calls[1]!.url.searchParams.get("page")).to.equal("2");
    expect(calls[0]!.headers["x-cg-demo-api-key"]).to.equal("demo-key");
  });

  it("stops at maxPages", async () => {
    const { fetch, calls } = fakeFetch(markets);
    const m = await fetchCoinGeckoMarkets({ fetch, perPage: 3, maxPages: 2 });
    expect(m.length).to.equal(6);
    expect(calls.length).to.equal(2);
  });

  it("stops after a page shorter than per_page", async () => {
    const { fetch, calls } = fakeFetch(markets);
    const m = await fetchCoinGeckoMarkets({ fetch, perPage: 250, maxPages: 5, category: "meme-token" });
    expect(m.map((x) => x.symbol)).to.deep.equal(["doge"]);
    expect(calls.length).to.equal(1);
    expect(calls[0]!.url.searchParams.get("category")).to.equal("meme-token");
    expect(calls[0]!.headers).to.not.have.property("x-cg-demo-api-key");
  });

  it("throws an ApiError naming the rate limit on HTTP 429, with Retry-After", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coingecko/error-429.json", status: 429, headers: { "Retry-After": "60" } }));
    const err = await fetchCoinGeckoMarkets({ fetch }).catch((e) => e);
    expect(err).to.be.instanceOf(ApiError);
    expect(err.status).to.equal(429);
    expect(err.message).to.match(/CoinGecko: rate limited \(HTTP 429\).*retry after 60 s: You've exceeded the Rate Limit/);
  });

  it("throws an ApiError with the status and the API's message on other HTTP errors", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coingecko/error-400.json", status: 400 }));
    await fetchCoinGeckoMarkets({ fetch }).then(
      () => expect.fail("no error"),
      (e) => expect(e.message).to.match(/CoinGecko: HTTP 400 on https:\/\/api\.coingecko\.com\/api\/v3\/coins\/markets\?.*: invalid vs_currency/),
    );
  });

  it("throws an ApiError when the body is not the documented array or a field has the wrong type", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coingecko/error-429.json" })); // an object with status 200
    await fetchCoinGeckoMarkets({ fetch }).then(
      () => expect.fail("no error"),
      (e) => expect(e.message).to.match(/not a JSON array/),
    );
    const body = JSON.stringify([{ id: "x", symbol: "x", name: "X", current_price: 1, market_cap: "big" }]);
    const f2 = async () => ({ ok: true, status: 200, headers: { get: () => null }, text: async () => body });
    await fetchCoinGeckoMarkets({ fetch: f2 }).then(
      () => expect.fail("no error"),
      (e) => expect(e.message).to.match(/CoinGecko: page 1 \[0\]\.market_cap has an unexpected value "big"/),
    );
  });
});

describe("#coinGeckoToAssets / #fetchCoinGeckoUniverse", () => {
  it("upper-cases symbols, keeps the first (largest) of a repeated symbol, treats market_cap 0 as missing, and tags flags", async () => {
    const { fetch, calls } = fakeFetch(markets);
    const u = await fetchCoinGeckoUniverse({ fetch, perPage: 3, maxPages: 3, date: "2026-09-30" });
    // 3 pages of all coins, then one (short) page per category
    expect(calls.filter((c) => c.url.searchParams.get("category") === null).length).to.equal(3);
    expect(calls.map((c) => c.url.searchParams.get("category")).filter((c) => c !== null)).to.deep.equal([
      "wrapped-tokens",
      "bridged-tokens",
      "liquid-staking-tokens",
      "liquid-restaking-tokens",
      "meme-token",
      "decentralized-finance-defi",
      "stablecoins",
    ]);
    expect(u.date).to.equal("2026-09-30");
    const by = new Map(u.assets.map((a) => [a.symbol, a]));
    expect([...by.keys()]).to.deep.equal(["BTC", "ETH", "USDT", "DOGE", "WBTC", "NEWT"]);
    expect(by.get("BTC")!.marketCapUsd).to.equal(2187000000000); // the bridged "btc" (1.2e8) is ignored
    expect(by.get("NEWT")!.marketCapUsd).to.equal(undefined);
    expect(by.get("USDT")!.stablecoin).to.equal(true);
    expect(by.get("WBTC")!.wrapped).to.equal(true);
    expect(by.get("DOGE")!.categories).to.include("meme");
    // MAG7 needs 7; this universe has 3 eligible (BTC, ETH, DOGE): with N = 3 they are the index
    const c = computeIndex(defineIndex(MAG7, { name: "TOP3", constituents: 3, buffer: 0, floorWad: 0n }), u);
    expect(c.constituents.map((x) => x.symbol)).to.deep.equal(["BTC", "ETH", "DOGE"]);
  });

  it("flags DAI, USDe, stETH and WBTC from CoinGecko's stablecoin and wrapped/liquid-staking categories, so DEFI leaves them out", () => {
    const coin = (id: string, symbol: string, cap: number) => ({ id, symbol, name: id, current_price: 1, market_cap: cap, market_cap_rank: null, circulating_supply: null, last_updated: null });
    const real = Array.from({ length: 10 }, (_, i) => coin(`defi-${i}`, `dfi${i}`, 1e9 - i * 1e7));
    const intruders = [coin("dai", "dai", 5e9), coin("ethena-usde", "usde", 4e9), coin("staked-ether", "steth", 3e9), coin("wrapped-bitcoin", "wbtc", 2e9)];
    const all = [...intruders, ...real];
    // Not in the project's token list: only CoinGecko's categories can flag them.
    const assets = coinGeckoToAssets(
      all,
      {
        defi: new Set(all.map((c) => c.id)), // CoinGecko's DeFi category lists all of them
        stablecoin: new Set(["dai", "ethena-usde"]),
        wrapped: new Set(["staked-ether", "wrapped-bitcoin"]),
      },
      [],
    );
    const by = new Map(assets.map((x) => [x.symbol, x]));
    expect(["DAI", "USDE"].map((s) => by.get(s)!.stablecoin)).to.deep.equal([true, true]);
    expect(["STETH", "WBTC"].map((s) => by.get(s)!.wrapped)).to.deep.equal([true, true]);
    const c = computeIndex(DEFI, { date: "2026-09-30", assets });
    expect(c.constituents.map((x) => x.symbol)).to.deep.equal(real.map((r) => r.symbol.toUpperCase()));
  });

  it("takes other flag categories when given", async () => {
    const { fetch, calls } = fakeFetch(markets);
    await fetchCoinGeckoUniverse({ fetch, perPage: 3, maxPages: 1, date: "2026-09-30", categories: { wrapped: ["tokenized-btc"], stablecoin: ["usd-stablecoin", "stablecoins"] } });
    expect(calls.map((c) => c.url.searchParams.get("category")).filter((c) => c !== null)).to.deep.equal(["tokenized-btc", "meme-token", "decentralized-finance-defi", "usd-stablecoin", "stablecoins"]);
  });

  it("uses the category sets when a coin is not in the token list", () => {
    const [a] = coinGeckoToAssets(
      [{ id: "fdusd", symbol: "fdusd", name: "First Digital USD", current_price: 1, market_cap: 1e9, market_cap_rank: 50, circulating_supply: 1e9, last_updated: null }],
      { stablecoin: new Set(["fdusd"]) },
    );
    expect(a!.stablecoin).to.equal(true);
    expect(a!.categories).to.deep.equal(["stablecoin"]);
  });
});

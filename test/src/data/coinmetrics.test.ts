import { expect } from "chai";
import { coinMetricsToMarketCapRows, fetchCoinMetricsAssetMetrics } from "../../../src/data/coinmetrics";
import { formatMarketCapCsv, parseMarketCapCsv } from "../../../src/data/marketcap-csv";
import { ApiError } from "../../../src/data/http";
import { fakeFetch } from "./fake-fetch";

function pages(url: URL) {
  if (url.pathname !== "/v4/timeseries/asset-metrics") return undefined;
  return { file: url.searchParams.has("next_page_token") ? "coinmetrics/asset-metrics-page2.json" : "coinmetrics/asset-metrics-page1.json" };
}

describe("#fetchCoinMetricsAssetMetrics", () => {
  it("asks the community API for daily metrics and follows next_page_token", async () => {
    const { fetch, calls } = fakeFetch(pages);
    const days = await fetchCoinMetricsAssetMetrics({ fetch, assets: ["btc", "eth"], start: "2021-01-01", end: "2021-01-02", pageSize: 3 });
    expect(calls.length).to.equal(2);
    expect(calls[0]!.url.origin + calls[0]!.url.pathname).to.equal("https://community-api.coinmetrics.io/v4/timeseries/asset-metrics");
    expect(Object.fromEntries(calls[0]!.url.searchParams)).to.deep.equal({
      assets: "btc,eth",
      metrics: "CapMrktCurUSD,PriceUSD,SplyCur,CapMVRVCur",
      frequency: "1d",
      page_size: "3",
      start_time: "2021-01-01",
      end_time: "2021-01-02",
    });
    expect(calls[1]!.url.searchParams.get("next_page_token")).to.equal("0.MjAyMS0wMS0wMlQwMDowMDowMFo");
    expect(days.map((d) => `${d.asset} ${d.date}`)).to.deep.equal(["btc 2021-01-01", "btc 2021-01-02", "eth 2021-01-01", "eth 2021-01-02"]);
    // values arrive as decimal strings
    expect(days[0]!.metrics).to.deep.equal({ CapMrktCurUSD: 546551864379.5216932, PriceUSD: 29391.77585158, SplyCur: 18595487.5, CapMVRVCur: 2.63315741 });
    expect(days[3]!.metrics.CapMVRVCur).to.equal(undefined);
  });

  it("sends a pro key as api_key and hides it in error messages", async () => {
    const { fetch, calls } = fakeFetch(() => ({ file: "coinmetrics/error-400.json", status: 400 }));
    const err = await fetchCoinMetricsAssetMetrics({ fetch, assets: ["nosuchcoin"], apiKey: "SECRET", baseUrl: "https://api.coinmetrics.io/v4" }).catch((e) => e);
    expect(calls[0]!.url.searchParams.get("api_key")).to.equal("SECRET");
    expect(err).to.be.instanceOf(ApiError);
    expect(err.message).to.match(/Coin Metrics: HTTP 400 .*api_key=\*\*\*.*bad_parameter: Bad parameter 'assets'/);
    expect(err.message).to.not.include("SECRET");
  });

  it("throws an ApiError naming the rate limit on HTTP 429", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coinmetrics/error-429.json", status: 429 }));
    const err = await fetchCoinMetricsAssetMetrics({ fetch, assets: ["btc"] }).catch((e) => e);
    expect(err.status).to.equal(429);
    expect(err.message).to.match(/Coin Metrics: rate limited \(HTTP 429\).*too_many_requests/);
  });

  it("throws an ApiError when the body has no data array", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coingecko/markets-category-empty.json" })); // []
    await fetchCoinMetricsAssetMetrics({ fetch, assets: ["btc"] }).then(
      () => expect.fail("no error"),
      (e) => expect(e.message).to.match(/Coin Metrics: page 1 has no "data" array/),
    );
  });
});

describe("#coinMetricsToMarketCapRows", () => {
  it("maps CapMrktCurUSD, PriceUSD, SplyCur to the CSV format, one asset at a time", async () => {
    const { fetch } = fakeFetch(pages);
    const days = await fetchCoinMetricsAssetMetrics({ fetch, assets: ["btc", "eth"] });
    const rows = coinMetricsToMarketCapRows(days, "eth");
    expect(rows.map((r) => [r.date, r.priceUsd, r.marketCapUsd, r.circulatingSupply])).to.deep.equal([
      ["2021-01-01", 734.19828843, 83939917237.10418, 114329112.3737],
      ["2021-01-02", 772.5806215, 88326449640.44934, 114327624.6187],
    ]);
    // and the CSV it writes reads back with the CSV loader
    expect(parseMarketCapCsv(formatMarketCapCsv(rows), "eth.csv")).to.deep.equal(rows);
  });

  it("keeps only days where market cap, price and supply are all present", async () => {
    const { fetch } = fakeFetch(() => ({ file: "coinmetrics/asset-metrics-missing-cap.json" }));
    const rows = coinMetricsToMarketCapRows(await fetchCoinMetricsAssetMetrics({ fetch, assets: ["ren"] }), "ren");
    expect(rows.map((r) => r.date)).to.deep.equal(["2021-01-01"]);
  });
});

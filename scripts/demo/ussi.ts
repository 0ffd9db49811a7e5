/**
 * Demo section: USSI, the delta-neutral hedged MAG7 token (METHODOLOGY 6, issue 5), on the
 * in-process network after the SSI section. Same code paths as the tasks (tasks/lib/ussi-chain.ts):
 * ussi:deploy, ussi:nav (--inception, then from a book), ussi:push-nav, ussi:mint (USDC and
 * MAG7.ssi), ussi:redeem (instant, then queued), ussi:fulfil, ussi:claim, ussi:status; then the
 * funding-rate backtest (ussi:backtest). No time travel: every role is granted at deployment.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import { useEnv } from "../../src/env";
import {
  SAMPLE_WEIGHTS,
  WAD,
  backtestByYear,
  fundingPayment,
  inceptionReport,
  loadFundingDir,
  navBreakdown,
  navReport,
  runBacktest,
  settlementsBetween,
  targetPositions,
  type Book,
  type PerpPosition,
} from "../../src/ussi";
import { executeMint, planMint, vaultOf } from "../../tasks/lib/ssi-chain";
import {
  deployUssi,
  executeUssiMint,
  formatNavPerToken,
  formatUnitsExact,
  formatUsd,
  planUssiMint,
  readUssiStatus,
  relayNavReport,
  signNavReport,
  ussiClaim,
  ussiFulfil,
  ussiRedeem,
  ussiVault,
} from "../../tasks/lib/ussi-chain";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const ROOT = path.join(__dirname, "..", "..");
const SAMPLE_FUNDING = path.join(ROOT, "sample", "funding");
const USDC_UNIT = 10n ** 6n;
/** What Alice brings: USDC and MAG7.ssi (she mints the MAG7.ssi in kind if the SSI section left her less). */
const MINT_USDC = 10_000n;
const MINT_MAG7 = 150n;
/** Instant redemption, then one larger than the liquid buffer. */
const REDEEM_INSTANT = 1_000n;
const REDEEM_QUEUED = 12_000n;
/** Funding accrued over the first week of the SAMPLE funding data. */
const FUNDING_DAYS = 7;
const BUFFER_WAD = 5n * 10n ** 16n; // 5% of NAV (METHODOLOGY 6)

/** The funding directory of the closing backtest: SSI_DATA_DIR/funding or ../shared/data/funding when present, else the sample. */
function backtestFundingDir(): { dir: string; sample: boolean } {
  const dataDir = useEnv("SSI_DATA_DIR") ?? path.resolve(ROOT, "..", "shared", "data");
  const real = path.join(dataDir, "funding");
  return existsSync(real) ? { dir: real, sample: false } : { dir: SAMPLE_FUNDING, sample: true };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export const ussiSection: DemoSection = {
  name: "USSI hedged MAG7 (USDC and MAG7.ssi in, signed NAV with funding, instant and queued redemption)",
  async run(ctx: DemoContext) {
    const { hre, print, signers } = ctx;
    const { alice, bob, deployer } = signers;
    const record = requireDeployment(ctx);
    const all = await hre.ethers.getSigners();

    print.heading("USSI 1. Deploy: TimelockController admin + UssiVault on USDC and MAG7.ssi (ussi:deploy)");
    const part = await deployUssi(hre, { log: (l) => print.line(`  ${l}`) });
    const strategy = all.find((s) => s.address === part.strategy);
    const risk = all.find((s) => s.address === part.risk);
    if (strategy === undefined || risk === undefined)
      throw new Error("the demo needs the strategy and risk accounts of ignition/parameters/hardhat.json");
    print.table(
      ["USSI", "value"],
      [
        ["UssiVault", part.vault],
        ["admin", `TimelockController ${part.timelock} (${part.minDelay / 3600} h delay)`],
        ["strategy / risk", `${part.strategy} / ${part.risk}`],
        ["NAV signers", `${part.quorum} of ${part.signers.length}`],
        [
          "limits",
          `NAV age ${part.limits.maxNavAge} s, NAV move ${part.limits.maxNavChangeBps} bps/report, net delta ${part.limits.maxNetDeltaBps} bps, buffer ${part.limits.bufferTargetBps} bps`,
        ],
      ]
    );

    // Token level: the risk role lists the large caps the book may hold; the strategy declares its book.
    const symbols = Object.keys(SAMPLE_WEIGHTS);
    const keyOf = (sym: string) => record.assets[sym] ?? sym;
    const tokenOf = (sym: string) => {
      const t = record.tokens[keyOf(sym)];
      if (t === undefined) throw new Error(`the sample market has no token for ${sym}`);
      return t;
    };
    const vault = ussiVault(part, risk);
    for (const sym of symbols) await (await vault.setAllowedAsset(tokenOf(sym).address, true)).wait();
    await (await vault.connect(strategy).declareBook(symbols.map((s) => tokenOf(s).address))).wait();
    print.line(`risk role allowed ${symbols.length} large caps (${symbols.join(", ")}); the strategy declared them as its book`);

    print.heading("USSI 2. First NAV report: inception at $1.00 per USSI (ussi:nav --inception, ussi:push-nav)");
    const now = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const inception = await signNavReport(hre, part, inceptionReport(1n, await now()));
    const first = await relayNavReport(hre, part, inception, bob);
    print.line(
      `round 1 ${first.outcome} (signed ${inception.signatures.length}-of-${
        part.signers.length
      }, relayed by Bob): minting opens at ${formatNavPerToken(first.report.navPerToken)}`
    );

    print.heading("USSI 3. Alice mints USSI with USDC and with MAG7.ssi (ussi:mint)");
    const usdc = MockERC20__factory.connect(part.usdc, deployer);
    await (await usdc.mint(alice.address, 50_000n * USDC_UNIT)).wait();
    await (await usdc.mint(strategy.address, 50_000n * USDC_UNIT)).wait();
    const mag7Vault = vaultOf(record, "MAG7", alice);
    const mag7Have = await mag7Vault.balanceOf(alice.address);
    if (mag7Have < MINT_MAG7 * WAD) {
      const need = MINT_MAG7 * WAD - mag7Have;
      await executeMint(mag7Vault, alice, need, alice.address, await planMint(record, mag7Vault, alice, need));
      print.line(
        `Alice held ${formatUnitsExact(mag7Have, 18)} MAG7.ssi from the SSI section and minted ${formatUnitsExact(need, 18)} more in kind`
      );
    }
    const byUsdc = await planUssiMint(part, alice, "USDC", MINT_USDC * USDC_UNIT);
    print.line(
      `quote: ${MINT_USDC.toLocaleString("en-US")} USDC -> ${formatUnitsExact(byUsdc.expectedShares, 18)} USSI at ${formatNavPerToken(
        byUsdc.navPerToken
      )}`
    );
    const mintedUsdc = await executeUssiMint(part, alice, byUsdc);
    const navPerShare = await mag7Vault.navPerShare();
    const byMag7 = await planUssiMint(part, alice, "MAG7", MINT_MAG7 * WAD);
    print.line(
      `quote: ${MINT_MAG7} MAG7.ssi (${formatUsd(navPerShare)} each through its basket and feeds, less the ${
        part.limits.indexHaircutBps
      } bps haircut) -> ${formatUnitsExact(byMag7.expectedShares, 18)} USSI (minimum ${formatUnitsExact(
        byMag7.minShares,
        18
      )}); these shares leave only through the queue for ${part.limits.indexLockPeriod} s`
    );
    const mintedMag7 = await executeUssiMint(part, alice, byMag7);
    print.table(
      ["paid", "USSI minted", "tx"],
      [
        [`${MINT_USDC.toLocaleString("en-US")} USDC`, formatUnitsExact(mintedUsdc.shares, 18), mintedUsdc.hash.slice(0, 12) + "…"],
        [`${MINT_MAG7} MAG7.ssi`, formatUnitsExact(mintedMag7.shares, 18), mintedMag7.hash.slice(0, 12) + "…"],
      ]
    );

    print.heading(
      `USSI 4. The hedged book earns funding: ${FUNDING_DAYS} days of SAMPLE funding, signed and pushed (ussi:nav, ussi:push-nav)`
    );
    const prices: Record<string, bigint> = {};
    for (const sym of symbols) {
      const t = tokenOf(sym);
      const [, answer] = await MockAggregator__factory.connect(t.feed, hre.ethers.provider).latestRoundData();
      prices[sym] = answer * 10n ** BigInt(18 - t.feedDecimals); // {1e18 USD / coin}
    }
    const status0 = await readUssiStatus(hre, part);
    // NAV before funding {1e18 USD}: the USDC and the MAG7.ssi the vault holds, valued as the vault values them.
    const nav0 =
      status0.buffer.usdcHeld * 10n ** BigInt(18 - part.usdcDecimals) + (status0.buffer.mag7Held * (await mag7Vault.navPerShare())) / WAD;
    const target = targetPositions(SAMPLE_WEIGHTS, nav0, prices, BUFFER_WAD);
    const perp: Record<string, PerpPosition> = {};
    for (const sym of symbols) perp[sym] = { size: target.perp[sym]!, entryPrice: prices[sym]! };
    const funding = loadFundingDir(SAMPLE_FUNDING, symbols);
    // The first week in which every asset's (SAMPLE) series has started.
    const from = Math.max(...symbols.map((sym) => funding[sym]!.settlements[0]!.time));
    const to = from + FUNDING_DAYS * 86_400;
    let fundingAccrued = 0n;
    const fundingRows: (string | number)[][] = [];
    for (const sym of symbols) {
      let earned = 0n;
      const settlements = settlementsBetween(funding[sym]!, from, to);
      for (const s of settlements) earned += fundingPayment(perp[sym]!.size, prices[sym]!, s.rateWad); // the short receives positive funding
      fundingAccrued += earned;
      fundingRows.push([
        sym,
        formatUsd((target.spot[sym]! * prices[sym]!) / WAD),
        formatUnitsExact(perp[sym]!.size, 18),
        settlements.length,
        formatUsd(earned),
      ]);
    }
    const book: Book = { spot: target.spot, perp, cash: target.cash, fundingAccrued };
    print.line(
      `book (SAMPLE): spot at the MAG7 sample weights of NAV minus the 5% buffer, each hedged by a short perp of the same coins; funding: ${FUNDING_DAYS} days of sample/funding from ${new Date(
        from * 1000
      )
        .toISOString()
        .slice(0, 16)
        .replace("T", " ")} UTC`
    );
    print.table(["asset", "spot (USD)", "perp (coins)", "settlements", "funding earned"], fundingRows);
    const [lastRound] = await ussiVault(part, hre.ethers.provider).lastVerified();
    const report = navReport({
      book,
      prices,
      supply: await ussiVault(part, hre.ethers.provider).totalSupply(),
      round: lastRound + 1n,
      timestamp: await now(),
    });
    const breakdown = navBreakdown(book, prices);
    const pushed = await relayNavReport(hre, part, await signNavReport(hre, part, report), bob);
    print.table(
      [`NAV report round ${report.round}: ${pushed.outcome}`, "USD"],
      [
        ["spot value", formatUsd(report.spotValue)],
        ["perp unrealised PnL", formatUsd(report.perpPnl)],
        ["funding accrued", formatUsd(report.fundingAccrued)],
        ["cash (buffer)", formatUsd(breakdown.cash)],
        ["NAV", formatUsd(report.nav)],
        ["NAV per USSI", formatNavPerToken(report.navPerToken)],
        ["max |net delta|", `${report.netDeltaBps} bps of NAV (limit ${part.limits.maxNetDeltaBps})`],
      ]
    );

    print.heading("USSI 5. Redemptions: instant from the buffer, then a larger one queued, fulfilled and claimed");
    const instant = await ussiRedeem(part, alice, REDEEM_INSTANT * WAD);
    print.line(
      `ussi:redeem --shares ${REDEEM_INSTANT}: ${instant.route}, ${formatUnitsExact(
        instant.assets,
        part.usdcDecimals
      )} USDC paid from a liquid buffer of ${formatUnitsExact(instant.liquid, part.usdcDecimals)} USDC`
    );
    const queued = await ussiRedeem(part, alice, REDEEM_QUEUED * WAD);
    print.line(
      `ussi:redeem --shares ${REDEEM_QUEUED.toLocaleString("en-US")}: ${queued.route} as request ${queued.requestId} (${queued.reason})`
    );
    const waiting = await readUssiStatus(hre, part);
    print.line(
      `queue: head ${waiting.queue.head}, ${waiting.queue.length - waiting.queue.head} pending; ${formatUnitsExact(
        queued.shares,
        18
      )} USSI escrowed in the vault`
    );
    const fulfilled = await ussiFulfil(hre, part, undefined, strategy);
    print.line(
      `ussi:fulfil (strategy): request ${queued.requestId} priced at ${formatNavPerToken(fulfilled.navPerToken)}, ${formatUnitsExact(
        fulfilled.assetsIn,
        part.usdcDecimals
      )} USDC deposited`
    );
    const claimed = await ussiClaim(part, alice, queued.requestId!);
    print.line(`ussi:claim --id ${queued.requestId}: ${formatUnitsExact(claimed.assets, part.usdcDecimals)} USDC paid to Alice`);

    print.heading("USSI 6. Status (ussi:status)");
    const s = await readUssiStatus(hre, part);
    const u = (x: bigint) => `${formatUnitsExact(x, part.usdcDecimals)} USDC`;
    print.table(
      ["USSI", "value"],
      [
        ["NAV round / age", `${s.nav.round} / ${s.nav.age} s (${s.nav.fresh ? "fresh" : "stale"})`],
        ["NAV per USSI", formatNavPerToken(s.nav.navPerToken)],
        ["supply", formatUnitsExact(s.totalSupply, 18)],
        ["buffer target / liquid", `${u(s.buffer.target)} / ${u(s.buffer.liquid)}`],
        ["queue head / length", `${s.queue.head} / ${s.queue.length}`],
        ["paused / delta breach", `${s.paused ? "yes" : "no"} / ${s.deltaBreachRound === 0n ? "none" : `round ${s.deltaBreachRound}`}`],
      ]
    );

    const bt = backtestFundingDir();
    print.heading(
      `USSI 7. Funding-rate backtest (ussi:backtest --funding ${path.relative(ROOT, bt.dir) || bt.dir}${bt.sample ? ", SAMPLE data" : ""})`
    );
    const options = { funding: loadFundingDir(bt.dir, symbols), weights: SAMPLE_WEIGHTS };
    const result = runBacktest(options);
    const years = backtestByYear(options);
    const rows: (string | number)[][] = years.map(({ year, result: r }) => [
      year,
      ((r.end - r.start) / 86_400).toFixed(0),
      pct(r.annualisedYield),
      pct(r.annualisedVolatility),
      pct(r.maxDrawdown),
      r.driftRebalances,
      formatUsd(r.totalFunding),
    ]);
    rows.push([
      "all",
      ((result.end - result.start) / 86_400).toFixed(0),
      pct(result.annualisedYield),
      pct(result.annualisedVolatility),
      pct(result.maxDrawdown),
      result.driftRebalances,
      formatUsd(result.totalFunding),
    ]);
    print.line("funding only: constant prices, the SAMPLE MAG7 weights, no fee or trading cost; each year a fresh $1,000,000 book");
    print.table(["year", "days", "yield (ln, /yr)", "volatility", "max drawdown", "hedge rebalances", "funding on $1M"], rows);

    ctx.summary.push({
      section: this.name,
      lines: [
        `minted ${formatUnitsExact(mintedUsdc.shares, 18)} USSI with ${MINT_USDC.toLocaleString("en-US")} USDC and ${formatUnitsExact(
          mintedMag7.shares,
          18
        )} with ${MINT_MAG7} MAG7.ssi`,
        `NAV round ${report.round} ${pushed.outcome}: NAV ${formatUsd(report.nav)}, ${formatNavPerToken(
          report.navPerToken
        )} per USSI, funding accrued ${formatUsd(report.fundingAccrued)} over ${FUNDING_DAYS} days (SAMPLE), net delta ${
          report.netDeltaBps
        } bps`,
        `redeemed ${REDEEM_INSTANT} USSI instantly for ${formatUnitsExact(
          instant.assets,
          part.usdcDecimals
        )} USDC; ${REDEEM_QUEUED.toLocaleString("en-US")} USSI queued (request ${queued.requestId}), fulfilled at ${formatNavPerToken(
          fulfilled.navPerToken
        )} and claimed for ${formatUnitsExact(claimed.assets, part.usdcDecimals)} USDC`,
        `backtest (${bt.sample ? "SAMPLE " : ""}${path.relative(ROOT, bt.dir) || bt.dir}, ${result.years.toFixed(2)} y): yield ${pct(
          result.annualisedYield
        )}/yr, volatility ${pct(result.annualisedVolatility)}, max drawdown ${pct(result.maxDrawdown)}, ${
          result.driftRebalances
        } hedge rebalances on drift`,
      ],
    });
  },
};

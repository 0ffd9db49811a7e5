/**
 * Demo section: USSI, the delta-neutral hedged MAG7 token (METHODOLOGY 6, issue 5), on the
 * in-process network after the SSI section. Same code paths as the tasks (chain/ussi.ts):
 * ussi:deploy, ussi:mint (deposit requests in USDC and MAG7.ssi), ussi:nav --inception and
 * ussi:push-nav (the report that settles them), ussi:claim, ussi:nav from a book with funding,
 * ussi:redeem (instant at the discounted NAV, then a request settled at the next report),
 * ussi:fulfil, ussi:claim, ussi:status; then the funding-rate backtest (ussi:backtest). No time
 * travel: every role is granted at deployment.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { MockAggregator__factory, MockERC20__factory } from "../../../typechain-types";
import { useEnv } from "../../../src/env";
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
} from "../../../src/ussi";
import { executeMint, planMint, vaultOf } from "../../../chain/ssi";
import {
  executeUssiDeposit,
  formatNavPerToken,
  formatUnitsExact,
  formatUsd,
  planUssiDeposit,
  readUssiStatus,
  relayNavReport,
  signNavReport,
  ussiClaim,
  ussiFulfil,
  ussiRedeem,
  ussiVault,
} from "../../../chain/ussi";
import { deployUssi } from "../ussi-deploy";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const ROOT = path.join(__dirname, "..", "..", "..");
const SAMPLE_FUNDING = path.join(ROOT, "sample", "funding");
const USDC_UNIT = 10n ** 6n;
/** What Alice brings: USDC and MAG7.ssi (she mints the MAG7.ssi in kind if the SSI section left her less). */
const MINT_USDC = 10_000n;
const MINT_MAG7 = 150n;
/** Instant redemption (within the 1%-of-NAV cap per epoch), then a request settled at the next NAV. */
const REDEEM_INSTANT = 100n;
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
  name: "USSI hedged MAG7 (deposits and redemptions settled at the next signed NAV, funding, capped instant redemption)",
  async run(ctx: DemoContext) {
    const { hre, client, print, signers } = ctx;
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
          `NAV age ${part.limits.maxNavAge} s, NAV move ${part.limits.maxNavChangeBps} bps/report, net delta ${part.limits.maxNetDeltaBps} bps, buffer ${part.limits.bufferTargetBps} bps, instant cap ${part.limits.instantCapBps} bps/epoch`,
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

    const now = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    print.heading("USSI 2. Alice requests deposits with USDC and with MAG7.ssi (ussi:mint): they settle at the next NAV");
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
    const byUsdc = await executeUssiDeposit(part, alice, await planUssiDeposit(part, alice, "USDC", MINT_USDC * USDC_UNIT));
    const byMag7 = await executeUssiDeposit(part, alice, await planUssiDeposit(part, alice, "MAG7", MINT_MAG7 * WAD));
    print.table(
      ["request", "deposited", "epoch", "price"],
      [
        [byUsdc.requestId.toString(), `${MINT_USDC.toLocaleString("en-US")} USDC`, byUsdc.epoch.toString(), "NAV per USSI of the next report"],
        [
          byMag7.requestId.toString(),
          `${MINT_MAG7} MAG7.ssi (valued at settlement less ${part.limits.indexHaircutBps} bps)`,
          byMag7.epoch.toString(),
          "NAV per USSI of the next report",
        ],
      ]
    );

    print.heading("USSI 3. First NAV report: inception at $1.00 per USSI (ussi:nav --inception, ussi:push-nav) settles the deposits; Alice claims");
    const inception = await signNavReport(client, part, inceptionReport(1n, await now()));
    const first = await relayNavReport(client, part, inception, bob);
    print.line(
      `round 1 ${first.outcome} (signed ${inception.signatures.length}-of-${part.signers.length}, relayed by Bob): epoch ${
        first.settledEpoch
      } settled at ${formatNavPerToken(first.report.navPerToken)}, ${formatUnitsExact(first.settled.sharesMinted, 18)} USSI minted for its deposits`
    );
    const claimedDeposits = await ussiClaim(part, alice);
    const mintedUsdc = { shares: claimedDeposits.find((c) => c.id === byUsdc.requestId)!.amount };
    const mintedMag7 = { shares: claimedDeposits.find((c) => c.id === byMag7.requestId)!.amount };
    print.table(
      ["claimed (ussi:claim)", "USSI", "settled at"],
      claimedDeposits.map((c) => [`request ${c.id}: ${c.kind}`, formatUnitsExact(c.amount, 18), formatNavPerToken(c.navPerToken)])
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
    const status0 = await readUssiStatus(client, part);
    // NAV before funding {1e18 USD}: what the deposits were settled at (the last NAV per USSI times the supply,
    // MAG7.ssi at its haircut value), so the report below moves NAV per USSI by the funding alone. Valuing the
    // MAG7.ssi at the full feed value would put the 1% haircut into this one report, above the per-report
    // bound (maxNavChangeBps, 50 bps): the vault would refuse it.
    const nav0 = (status0.nav.navPerToken * status0.totalSupply) / WAD;
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
    const { round: lastRound } = await ussiVault(part, hre.ethers.provider).lastAcceptedReport();
    const report = navReport({
      book,
      prices,
      supply: await ussiVault(part, hre.ethers.provider).totalSupply(),
      round: lastRound + 1n,
      timestamp: await now(),
    });
    const breakdown = navBreakdown(book, prices);
    const pushed = await relayNavReport(client, part, await signNavReport(client, part, report), bob);
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

    print.heading("USSI 5. Redemptions: a small instant one at the discounted NAV, then a request settled at the next report, funded and claimed");
    const instant = await ussiRedeem(part, alice, REDEEM_INSTANT * WAD, true);
    print.line(
      `ussi:redeem --instant --shares ${REDEEM_INSTANT}: ${formatUnitsExact(instant.assets, part.usdcDecimals)} USDC at once, at the last NAV less ${
        instant.discountBps
      } bps (the largest move one report may make), within the per-epoch cap`
    );
    const queued = await ussiRedeem(part, alice, REDEEM_QUEUED * WAD);
    print.line(
      `ussi:redeem --shares ${REDEEM_QUEUED.toLocaleString("en-US")}: request ${queued.requestId} in epoch ${queued.epoch}, settles at the next report's NAV`
    );
    // The book paid the instant redemption out of its cash (the USDC buffer).
    const bookAfter: Book = { ...book, cash: book.cash - instant.assets * 10n ** BigInt(18 - part.usdcDecimals) };
    const nextReport = navReport({
      book: bookAfter,
      prices,
      supply: await ussiVault(part, hre.ethers.provider).totalSupply(),
      round: report.round + 1n,
      timestamp: await now(),
    });
    const second = await relayNavReport(client, part, await signNavReport(client, part, nextReport), bob);
    print.line(
      `round ${nextReport.round} accepted: epoch ${second.settledEpoch} settled at ${formatNavPerToken(nextReport.navPerToken)}: ${formatUnitsExact(
        second.settled.sharesBurned,
        18
      )} USSI redeemed for ${formatUnitsExact(second.settled.assetsOwed, part.usdcDecimals)} USDC owed`
    );
    const fulfilled = await ussiFulfil(client, part, undefined, strategy);
    print.line(
      `ussi:fulfil (strategy): ${formatUnitsExact(fulfilled.fromBuffer, part.usdcDecimals)} USDC from the liquid buffer + ${formatUnitsExact(
        fulfilled.assetsIn,
        part.usdcDecimals
      )} USDC deposited by the strategy`
    );
    const [claimed] = await ussiClaim(part, alice, queued.requestId!);
    print.line(
      `ussi:claim --id ${queued.requestId}: ${formatUnitsExact(claimed!.amount, part.usdcDecimals)} USDC paid to Alice (settled at ${formatNavPerToken(
        claimed!.navPerToken
      )})`
    );

    print.heading("USSI 6. Status (ussi:status)");
    const s = await readUssiStatus(client, part);
    const u = (x: bigint) => `${formatUnitsExact(x, part.usdcDecimals)} USDC`;
    print.table(
      ["USSI", "value"],
      [
        ["NAV round / age", `${s.nav.round} / ${s.nav.age} s (${s.nav.fresh ? "fresh" : "stale"})`],
        ["NAV per USSI (as of the last report)", formatNavPerToken(s.nav.navPerToken)],
        ["supply", formatUnitsExact(s.totalSupply, 18)],
        ["buffer target / liquid", `${u(s.buffer.target)} / ${u(s.buffer.liquid)}`],
        ["open epoch / redemptions owed, funded", `${s.epoch.current} / ${u(s.funding.owed)}, ${u(s.funding.funded)}`],
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
        `deposits requested, settled by the inception report and claimed: ${formatUnitsExact(mintedUsdc.shares, 18)} USSI for ${MINT_USDC.toLocaleString(
          "en-US"
        )} USDC and ${formatUnitsExact(mintedMag7.shares, 18)} for ${MINT_MAG7} MAG7.ssi`,
        `NAV round ${report.round} ${pushed.outcome}: NAV ${formatUsd(report.nav)}, ${formatNavPerToken(
          report.navPerToken
        )} per USSI, funding accrued ${formatUsd(report.fundingAccrued)} over ${FUNDING_DAYS} days (SAMPLE), net delta ${
          report.netDeltaBps
        } bps`,
        `redeemed ${REDEEM_INSTANT} USSI instantly for ${formatUnitsExact(
          instant.assets,
          part.usdcDecimals
        )} USDC; ${REDEEM_QUEUED.toLocaleString("en-US")} USSI requested (request ${queued.requestId}), settled at ${formatNavPerToken(
          claimed!.navPerToken
        )} by round ${nextReport.round} and claimed for ${formatUnitsExact(claimed!.amount, part.usdcDecimals)} USDC`,
        `backtest (${bt.sample ? "SAMPLE " : ""}${path.relative(ROOT, bt.dir) || bt.dir}, ${result.years.toFixed(2)} y): yield ${pct(
          result.annualisedYield
        )}/yr, volatility ${pct(result.annualisedVolatility)}, max drawdown ${pct(result.maxDrawdown)}, ${
          result.driftRebalances
        } hedge rebalances on drift`,
      ],
    });
  },
};

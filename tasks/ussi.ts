import { parsePlotPath, writeOutputFile, writePlotFile } from "./lib/output";
import { task } from "hardhat/config";
import Table from "cli-table3";
import { parseDay } from "../src/lib/csv";
import { renderSvg } from "../src/lib/chart";
import { ussiNavChartSpec } from "../src/ussi/plot";
import {
  SAMPLE_WEIGHTS,
  backtestByYear,
  backtestJson,
  yearJson,
  dailyPriceFn,
  loadDailyPrices,
  dailySeries,
  formatIsoSecond,
  liquidBuffer,
  loadFundingDir,
  navBreakdown,
  navReport,
  netDeltas,
  numberToWad,
  parsePositions,
  parseWeights,
  runBacktest,
  wadToNumber,
  detectDrift,
  inceptionReport,
} from "../src/ussi";
import { fail, parseAddressArg, parsePositiveAmount, readJsonArg, userErrors } from "./lib/args";
import { clientFromHre } from "./lib/client";
import type { SignedNavReport } from "../chain/ussi";
import { formatNavPerToken, formatUnitsExact, formatUsd, jsonify } from "../src/lib/format";

/**
 * The chain library is loaded when a task runs, not when Hardhat loads its config: it imports the
 * TypeChain bindings, which do not exist on a fresh clone until the first compile.
 */
const chain = () => import("../chain/ussi");

const DAY = 86_400;

/** A non-negative decimal number argument ("0", "25", "0.5"). */
function nonNegative(value: string | undefined, name: string): number {
  const text = (value ?? "").trim();
  if (!/^\d+(\.\d+)?$/.test(text)) fail(`--${name} "${value ?? ""}" is not a non-negative decimal number`);
  return Number(text);
}

/** A fraction in [0, 1) ("0.02"), as WAD. */
function fraction(value: string | undefined, name: string): bigint {
  const x = nonNegative(value, name);
  if (x >= 1) fail(`--${name} ${value} must be below 1 (a fraction: 0.02 = 2%)`);
  return numberToWad(x, `--${name}`);
}

function day(value: string, name: string): number {
  try {
    return parseDay(value, `--${name}`) * DAY;
  } catch (e) {
    fail((e as Error).message);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const usd = (x: bigint): string => wadToNumber(x).toLocaleString("en-US", { maximumFractionDigits: 2 });

interface BacktestArgs {
  funding?: string;
  from?: string;
  to?: string;
  feeBpsPerYear: string;
  perpCostBps: string;
  driftTolerance: string;
  buffer: string;
  weights?: string;
  prices?: string;
  json: boolean;
  byYear: boolean;
  plot?: string;
}

task("ussi:backtest", "Backtests the USSI hedged book over funding-rate history (binance_<SYM>USDT.csv files)")
  .addOptionalParam("funding", "Directory of binance_<SYM>USDT.csv funding files (required; sample/funding has a synthetic one)")
  .addOptionalParam("from", "First day, YYYY-MM-DD (UTC, inclusive); default: the first settlement")
  .addOptionalParam("to", "Last day, YYYY-MM-DD (UTC, inclusive); default: the last settlement")
  .addOptionalParam("feeBpsPerYear", "Management fee, basis points of NAV per year", "0")
  .addOptionalParam("perpCostBps", "Cost of each perp trade, basis points of its notional", "0")
  .addOptionalParam("driftTolerance", "Hedge rebalance when |net delta| of any asset exceeds this fraction of NAV", "0.02")
  .addOptionalParam("buffer", "Liquid buffer held in cash, fraction of NAV", "0.05")
  .addOptionalParam("weights", "JSON file symbol -> weight (fraction numbers or WAD strings); default: the SAMPLE MAG7 vector")
  .addOptionalParam(
    "prices",
    "Directory of <sym>.csv daily prices (date,price_usd, e.g. ../shared/data/marketcap); default: constant prices"
  )
  .addOptionalParam("plot", "Write an SVG chart of NAV to this file")
  .addFlag("json", "Print only JSON on stdout")
  .addFlag("byYear", "Also run one independent backtest per calendar year and report them")
  .setAction(async (args: BacktestArgs) =>
    userErrors(async () => {
      if (!args.funding) fail("--funding DIR is required (for a synthetic sample: --funding sample/funding)");
      const feeBpsPerYear = nonNegative(args.feeBpsPerYear, "fee-bps-per-year");
      const perpCostBps = nonNegative(args.perpCostBps, "perp-cost-bps");
      const driftToleranceWad = fraction(args.driftTolerance, "drift-tolerance");
      const bufferWad = fraction(args.buffer, "buffer");
      const from = args.from === undefined ? undefined : day(args.from, "from");
      const to = args.to === undefined ? undefined : day(args.to, "to") + DAY; // inclusive day -> exclusive end
      if (from !== undefined && to !== undefined && to <= from) fail(`--to ${args.to} is before --from ${args.from}`);
      parsePlotPath(args.plot);
      const weights = args.weights === undefined ? SAMPLE_WEIGHTS : parseWeights(readJsonArg(args.weights, "weights"), args.weights);

      const funding = loadFundingDir(args.funding, Object.keys(weights));
      const options = {
        funding,
        weights,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        feeBpsPerYear,
        perpCostBps,
        driftToleranceWad,
        bufferWad,
        ...(args.prices !== undefined ? { price: dailyPriceFn(loadDailyPrices(args.prices, Object.keys(weights))) } : {}),
      };
      const result = runBacktest(options);
      const years = args.byYear ? backtestByYear(options) : undefined;

      if (args.plot !== undefined) {
        const values = dailySeries(result.series).map((p) => ({ time: formatIsoSecond(p.time), nav: wadToNumber(p.nav) }));
        const svg = await renderSvg(ussiNavChartSpec(values, `USSI backtest NAV (${args.funding})`));
        writePlotFile(args.plot, svg);
      }

      if (args.json) {
        const json = backtestJson(result);
        if (years !== undefined) json["byYear"] = years.map(yearJson);
        process.stdout.write(JSON.stringify(json) + "\n");
        return;
      }
      const table = new Table({ head: ["USSI backtest", "value"] });
      table.push(
        ["funding data", args.funding],
        ["period (UTC)", `${formatIsoSecond(result.start)} .. ${formatIsoSecond(result.end)} (${result.years.toFixed(3)} y)`],
        ["weights", args.weights ?? "SAMPLE MAG7 vector (src/ussi/weights.ts)"],
        ["prices", args.prices ?? "constant (no price path)"],
        ["initial NAV (USD)", usd(result.initialNav)],
        ["final NAV (USD)", usd(result.finalNav)],
        ["annualised yield (ln, /yr)", pct(result.annualisedYield)],
        ["CAGR", pct(result.cagr)],
        ["annualised volatility", pct(result.annualisedVolatility)],
        ["maximum drawdown", pct(result.maxDrawdown)],
        ["hedge rebalances on drift", String(result.driftRebalances)],
        ["monthly reconstitutions", String(result.reconstitutions)],
        ["perp trades / notional (USD)", `${result.perpTrades} / ${usd(result.perpTradedNotional)}`],
        ["funding received (USD)", usd(result.totalFunding)],
        ["fees (USD)", `${usd(result.totalFees)} (${feeBpsPerYear} bps/yr)`],
        ["perp trading costs (USD)", `${usd(result.totalPerpCosts)} (${perpCostBps} bps/trade)`],
        ["drift tolerance / buffer", `${pct(wadToNumber(driftToleranceWad))} / ${pct(wadToNumber(bufferWad))} of NAV`]
      );
      const bySymbol = new Table({ head: ["symbol", "funding received (USD)"] });
      for (const [s, v] of Object.entries(result.fundingBySymbol)) bySymbol.push([s, usd(v)]);
      console.log(table.toString());
      console.log(bySymbol.toString());
      if (years !== undefined) {
        const head = [
          "year",
          "days",
          "yield (ln)",
          "CAGR",
          "volatility",
          "max DD",
          "drift rebal.",
          "fees (USD)",
          "perp costs (USD)",
          "funding (USD)",
        ];
        const perYear = new Table({ head });
        for (const { year, result: r } of years) {
          perYear.push([
            String(year),
            ((r.end - r.start) / 86_400).toFixed(1),
            pct(r.annualisedYield),
            pct(r.cagr),
            pct(r.annualisedVolatility),
            pct(r.maxDrawdown),
            String(r.driftRebalances),
            usd(r.totalFees),
            usd(r.totalPerpCosts),
            usd(r.totalFunding),
          ]);
        }
        console.log(perYear.toString());
      }
      if (args.plot !== undefined) console.log(`NAV chart written to ${args.plot}`);
    })
  );

interface NavArgs {
  positions?: string;
  inception: boolean;
  out?: string;
  unsigned: boolean;
  step: boolean;
  driftTolerance: string;
  buffer: string;
  json: boolean;
}

task("ussi:nav", "Computes the USSI NAV report from a positions JSON (see src/ussi/positions.ts) and signs it with the NAV signer quorum")
  .addOptionalParam("positions", "Positions JSON file (required unless --inception)")
  .addFlag("inception", "The first report of an empty vault: NAV 0 at 1.00 USD per token, next round, chain time")
  .addOptionalParam("out", "Write the signed report to this file (relay it with ussi:push-nav --report FILE); sends nothing")
  .addFlag("unsigned", "Only compute and print the report (no chain, no keys)")
  .addFlag(
    "step",
    "Sign as an intermediate step (EIP-712 NavStep) of a NAV move larger than the vault's maxNavChangeBps: it settles no epoch and closes instant redemptions until the final report (signed without --step)"
  )
  .addOptionalParam("driftTolerance", "Drift tolerance, fraction of NAV", "0.02")
  .addOptionalParam("buffer", "Liquid buffer, fraction of NAV", "0.05")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: NavArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (args.inception && args.positions !== undefined) fail("give either --positions FILE.json or --inception, not both");
      if (!args.inception && !args.positions)
        fail("--positions FILE.json is required (or --inception for the first report of an empty vault)");
      if (args.unsigned && args.out !== undefined) fail("--out writes a signed report; drop --unsigned (or --out)");
      if (args.unsigned && args.inception) fail("--inception reads the next round and the time from the chain and signs: drop --unsigned");
      if (args.step && (args.unsigned || args.inception)) fail("--step signs an intermediate step of a large move from --positions: drop --unsigned / --inception");
      if (args.out !== undefined && !args.out.endsWith(".json")) fail(`--out ${args.out}: the file name must end in .json`);
      const tolerance = fraction(args.driftTolerance, "drift-tolerance");
      const bufferWad = fraction(args.buffer, "buffer");
      const str = (o: object): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

      let out: Record<string, unknown>;
      let rows: [string, string][];
      let report;
      if (args.inception) {
        const c = await chain();
        const part = await c.loadUssi(client);
        const vault = c.ussiVault(part, hre.ethers.provider);
        const { round: lastRound } = await vault.lastAcceptedReport();
        const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
        report = inceptionReport(lastRound + 1n, now);
        out = { report: str(report), cash: "0" };
        rows = [];
      } else {
        const input = parsePositions(readJsonArg(args.positions, "positions"), args.positions!);
        report = navReport(input);
        const breakdown = navBreakdown(input.book, input.prices);
        const drift = detectDrift(input.book, input.prices, report.nav, tolerance);
        const buffer = liquidBuffer(report.nav, input.book.cash, bufferWad);
        const deltas = netDeltas(input.book, input.prices, report.nav);
        out = {
          report: str(report),
          cash: breakdown.cash.toString(),
          drift: { rebalance: drift.rebalance, breaches: drift.breaches, maxDeltaBps: drift.maxDeltaBps.toString() },
          buffer: str(buffer),
          deltas: deltas.map((d) => str(d)),
        };
        rows = [
          ["cash (USD)", usd(breakdown.cash)],
          ["hedge rebalance due", drift.rebalance ? `yes (${drift.breaches.join(", ")})` : "no"],
          ["buffer target / available (USD)", `${usd(buffer.target)} / ${usd(buffer.available)}`],
        ];
      }

      let signed: SignedNavReport | undefined;
      if (!args.unsigned) {
        const c = await chain();
        const part = await c.loadUssi(client);
        signed = await c.signNavReport(client, part, report, args.step);
        out = { ...out, ...c.signedReportToJson(signed) };
        if (args.out !== undefined) writeOutputFile(args.out, JSON.stringify(c.signedReportToJson(signed), null, 2) + "\n");
      } else {
        out = { ...out, signed: false };
      }
      if (args.json) {
        process.stdout.write(JSON.stringify(out) + "\n");
        return;
      }
      const title =
        signed === undefined
          ? "NAV report (unsigned)"
          : `NAV ${signed.step ? "step (intermediate: settles nothing)" : "report"} (signed ${signed.signatures.length} of the vault's signers)`;
      const table = new Table({ head: [title, "value"] });
      table.push(
        ["round", report.round.toString()],
        ["timestamp", `${report.timestamp} (${formatIsoSecond(Number(report.timestamp))})`],
        ["NAV (USD)", usd(report.nav)],
        ["NAV per token (USD)", wadToNumber(report.navPerToken).toFixed(6)],
        ["spot value (USD)", usd(report.spotValue)],
        ["perp unrealised PnL (USD)", usd(report.perpPnl)],
        ["funding accrued (USD)", usd(report.fundingAccrued)],
        ["max |net delta| (bps of NAV)", report.netDeltaBps.toString()],
        ...rows
      );
      if (signed !== undefined)
        table.push(["signers", signed.signers.join("\n")], ["vault / chain", `${signed.vault} / ${signed.chainId}`]);
      console.log(table.toString());
      if (signed !== undefined) {
        console.log(
          args.out !== undefined
            ? `signed report written to ${args.out} (nothing sent); relay it with: npx hardhat ussi:push-nav --report ${args.out} --network ${hre.network.name}`
            : `signed, nothing written or sent: pass --out FILE.json to save the signed report for ussi:push-nav`
        );
      }
    })
  );

// ---------------------------------------------------------------------------------------------
// Chain tasks: ussi:deploy, ussi:push-nav, ussi:mint, ussi:redeem, ussi:fulfil, ussi:claim, ussi:status
// (logic in chain/ussi.ts)
// ---------------------------------------------------------------------------------------------

task(
  "ussi:deploy",
  "Deploys USSI (admin TimelockController + UssiVault on USDC and MAG7.ssi) through Ignition, verifies roles on chain, records it"
)
  .addOptionalParam("usdc", "USDC address (default: tokens.USDC of deployments/<network>.json)")
  .addOptionalParam("mag7", "MAG7.ssi vault address (default: products.MAG7 of deployments/<network>.json)")
  .addFlag("allowEoaAdmin", "testnets only: accept a plain key or the deployer as the timelock's proposer/executor (warned loudly and recorded)")
  .setAction(async (args: { usdc?: string; mag7?: string; allowEoaAdmin?: boolean }, hre) =>
    userErrors(async () => {
      const c = await chain();
      const usdcArg = args.usdc === undefined ? undefined : parseAddressArg(args.usdc, "usdc");
      const mag7Arg = args.mag7 === undefined ? undefined : parseAddressArg(args.mag7, "mag7");
      const part = await (await import("./lib/ussi-deploy")).deployUssi(hre, {
        ...(usdcArg ? { usdc: usdcArg } : {}),
        ...(mag7Arg ? { mag7: mag7Arg } : {}),
        allowEoaAdmin: args.allowEoaAdmin === true,
        log: (l) => console.error(l),
      });
      for (const w of part.warnings ?? []) console.log(`!!! ${w}`);
      const table = new Table({ head: ["USSI on " + hre.network.name, "value"], style: { compact: true } });
      table.push(
        ["UssiVault (USSI)", part.vault],
        ["admin: TimelockController", `${part.timelock} (delay ${part.minDelay} s)`],
        ["USDC / MAG7.ssi", `${part.usdc} / ${part.mag7}`],
        ["strategy / risk", `${part.strategy} / ${part.risk}`],
        ["NAV signers", `${part.quorum} of ${part.signers.length}: ${part.signers.join(", ")}`],
        [
          "limits",
          `maxNavAge ${part.limits.maxNavAge} s, maxNavChange ${part.limits.maxNavChangeBps} bps, maxNetDelta ${part.limits.maxNetDeltaBps} bps, buffer ${part.limits.bufferTargetBps} bps, MAG7.ssi haircut ${part.limits.indexHaircutBps} bps, instant cap ${part.limits.instantCapBps} bps of NAV per epoch, minimum request ${formatUsd(BigInt(part.limits.minRequestUsd))}`,
        ]
      );
      console.log(table.toString());
      console.log(
        "roles verified on chain; the next step is the first NAV report: ussi:nav --inception --out FILE, then ussi:push-nav --report FILE"
      );
    })
  );

task("ussi:sign-nav", "ONE NAV signer signs a USSI NAV report (or --step) on its own machine and writes a signature file (the relay merges them: ussi:push-nav --signatures)")
  .addOptionalParam("report", "The report to sign: another signer's signature file, a ussi:nav --out file, or ussi:nav --unsigned --json output (required)")
  .addOptionalParam("out", "The signature file to write (required)")
  .addFlag("step", "Sign as an intermediate step (EIP-712 NavStep) of a large NAV move (implied when --report is another signer's NavStep signature)")
  .addOptionalParam("account", "Local networks without NAV_SIGNER_KEY/ORACLE_SIGNER_KEY: the local account that signs")
  .setAction(async (args: { report?: string; out?: string; step: boolean; account?: string }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      if (!args.report) fail("--report FILE.json is required (the report to sign)");
      if (!args.out) fail("--out FILE.json is required (the signature file to write)");
      if (!args.out.endsWith(".json")) fail(`--out ${args.out}: the file name must end in .json`);
      const c = await chain();
      const raw = readJsonArg(args.report, "report") as Record<string, unknown>;
      const report = c.parseNavReportFields(raw["report"], args.report);
      const step = args.step || raw["primaryType"] === "NavStep" || raw["kind"] === "ussi-nav-step";
      const part = await c.loadUssi(client);
      const signer = await c.oneSigner(client, "nav", args.account);
      const file = await c.signNavOne(client, part, report, step, signer, (l) => console.log(l));
      writeOutputFile(args.out, JSON.stringify({ _comment: "one NAV signer's signature: relay with ussi:push-nav --signatures DIR", ...file }, null, 2) + "\n");
      console.log(
        `signature of ${file.signer} written to ${args.out}; other signers: ussi:sign-nav --report ${args.out} --out FILE; the relay: ussi:push-nav --signatures FILES|DIR`
      );
    })
  );

task("ussi:push-nav", "Relays a signed USSI NAV report (from ussi:nav --out) to the vault, or merges signature files (ussi:sign-nav) and relays once the quorum is there; anyone may relay")
  .addOptionalParam("report", "Signed report JSON file (or --signatures)")
  .addOptionalParam("signatures", "Signature files written by ussi:sign-nav, comma-separated files and/or directories; relays once the quorum is there")
  .addFlag("sign", "With --signatures: the relay adds its own signature with its one key (NAV_SIGNER_KEY / ORACLE_SIGNER_KEY, or --account on a local network)")
  .addOptionalParam("account", "With --sign on a local network: the local account that signs")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { report?: string; signatures?: string; sign?: boolean; account?: string; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      if (args.report !== undefined && args.signatures !== undefined) fail("give either --report FILE (a signed report) or --signatures FILES|DIR (signature files), not both");
      if (args.sign === true && args.signatures === undefined) fail("--sign adds the relay's signature to --signatures FILES|DIR");
      let result: Awaited<ReturnType<typeof c.relaySignedNav>>;
      let part: Awaited<ReturnType<typeof c.loadUssi>>;
      if (args.signatures !== undefined) {
        const { readSignatureFiles } = await import("../chain/quorum");
        part = await c.loadUssi(client);
        const files = readSignatureFiles(args.signatures.split(",").map((x) => x.trim()).filter((x) => x.length > 0));
        if (args.sign === true) {
          const first = files[0]!;
          const report = c.parseNavReportFields(first.file.report, first.source);
          const info = (l: string) => (args.json ? console.error(l) : console.log(l));
          const own = await c.signNavOne(client, part, report, first.file.primaryType === "NavStep", await c.oneSigner(client, "nav", args.account), info);
          files.push({ source: "the relay's own signature", file: own });
        }
        const merged = await c.relayNavSignatures(client, part, files);
        result = merged.result;
        if (!args.json) console.log(`merged ${files.length} signature file(s): ${merged.signers.length} distinct signer(s) ${merged.signers.join(", ")}`);
      } else {
        if (!args.report) fail("--report FILE.json is required (write one with ussi:nav --positions FILE --out FILE.json), or --signatures FILES|DIR");
        const signed = c.parseSignedReport(readJsonArg(args.report, "report"), args.report);
        part = await c.loadUssi(client);
        result = await c.relaySignedNav(client, part, signed);
      }
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify(result)) + "\n");
        return;
      }
      const r = result.report;
      if (result.outcome === "accepted-step") {
        console.log(
          `accepted step: round ${r.round} (tx ${result.hash}) moves the NAV to ${formatNavPerToken(r.navPerToken)} per USSI as an intermediate step: ` +
            `no epoch settles and instant redemptions wait until the final report (signed without --step) is relayed`
        );
        return;
      }
      const st = result.settled;
      console.log(
        `accepted: round ${r.round} is the NAV (tx ${result.hash}): NAV ${formatUsd(r.nav)}, ${formatNavPerToken(r.navPerToken)} per USSI, ` +
          `spot ${formatUsd(r.spotValue)}, perp PnL ${formatUsd(r.perpPnl)}, funding accrued ${formatUsd(r.fundingAccrued)}, net delta ${r.netDeltaBps} bps`
      );
      console.log(
        `settled epoch ${result.settledEpoch} at ${formatNavPerToken(r.navPerToken)} per USSI: ${formatUnitsExact(st.sharesMinted, 18)} USSI minted for its deposits, ` +
          `${formatUnitsExact(st.sharesBurned, 18)} USSI redeemed for ${formatUnitsExact(st.assetsOwed, part.usdcDecimals)} USDC` +
          (st.sharesMinted + st.sharesBurned > 0n ? `; requesters claim with: npx hardhat ussi:claim --network ${hre.network.name}` : "")
      );
      if (result.deltaBreach !== undefined)
        console.log(
          `delta breach: |net delta| ${result.deltaBreach.netDeltaBps} bps > limit ${result.deltaBreach.maxNetDeltaBps} bps; ` +
            `the report settled, but deposit requests are paused until a compliant report is accepted`
        );
    })
  );

/** A non-negative whole number argument. */
function wholeNumber(value: string | undefined, name: string, positive: boolean): bigint {
  const text = (value ?? "").trim();
  if (!/^\d+$/.test(text) || (positive && BigInt(text) === 0n))
    fail(`--${name} "${value ?? ""}" is not a ${positive ? "positive" : "non-negative"} whole number`);
  return BigInt(text);
}

task(
  "ussi:mint",
  "Requests a USSI deposit with USDC or MAG7.ssi; it settles at the NAV of the next accepted report, then ussi:claim delivers the USSI"
)
  .addOptionalParam("usdc", "USDC to deposit, e.g. 1000 or 12.5")
  .addOptionalParam("mag7", "MAG7.ssi to deposit, e.g. 2.5 (valued at settlement, less the haircut)")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { usdc?: string; mag7?: string; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      if ((args.usdc === undefined) === (args.mag7 === undefined)) fail("give exactly one of --usdc AMOUNT or --mag7 AMOUNT");
      const part = await c.loadUssi(client);
      const asset = args.usdc !== undefined ? "USDC" : "MAG7";
      const amount =
        asset === "USDC" ? parsePositiveAmount(args.usdc, "usdc", part.usdcDecimals) : parsePositiveAmount(args.mag7, "mag7", 18);
      const [me] = await hre.ethers.getSigners();
      const plan = await c.planUssiDeposit(part, me!, asset, amount);
      const { hash, requestId, epoch } = await c.executeUssiDeposit(part, me!, plan);
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify({ asset, amount, requestId, epoch, indicativeShares: plan.indicativeShares, tx: hash })) + "\n");
        return;
      }
      const paid = `${formatUnitsExact(amount, plan.decimals)} ${asset === "USDC" ? "USDC" : "MAG7.ssi"}`;
      console.log(`deposit requested: request ${requestId}, ${paid} (tx ${hash}); ${c.settlementWords(epoch)}.`);
      console.log(
        `for reference only: the last report (round time ${formatIsoSecond(Number(plan.lastNavTime))}) said ${formatNavPerToken(
          plan.lastNavPerToken
        )} per USSI, which would give ${formatUnitsExact(plan.indicativeShares, 18)} USSI.`
      );
      console.log(`after the next report is relayed (ussi:push-nav), claim the USSI with: npx hardhat ussi:claim --id ${requestId} --network ${hre.network.name}`);
    })
  );

task(
  "ussi:redeem",
  "Requests a redemption settled at the next NAV (then ussi:claim once funded), or with --instant redeems now from the buffer at the last NAV less maxNavChangeBps"
)
  .addOptionalParam("shares", "USSI to redeem, e.g. 100 (required)")
  .addFlag("instant", "Redeem at once from the liquid buffer at the discounted last NAV (capped per epoch)")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { shares?: string; instant: boolean; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      if (args.shares === undefined) fail("--shares AMOUNT is required");
      const shares = parsePositiveAmount(args.shares, "shares", 18);
      const part = await c.loadUssi(client);
      const [me] = await hre.ethers.getSigners();
      const r = await c.ussiRedeem(part, me!, shares, args.instant);
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify(r)) + "\n");
        return;
      }
      const usdc = (x: bigint) => `${formatUnitsExact(x, part.usdcDecimals)} USDC`;
      if (r.route === "instant")
        console.log(
          `instant: redeemed ${formatUnitsExact(shares, 18)} USSI for ${usdc(r.assets)} from the liquid buffer, at the last NAV less ${r.discountBps} bps (tx ${r.hash})`
        );
      else
        console.log(
          `redemption requested: request ${r.requestId} escrows ${formatUnitsExact(shares, 18)} USSI (tx ${r.hash}); ${c.settlementWords(r.epoch!)} ` +
            `(at the last report's NAV they would be worth ${usdc(r.assets)}). After the next report, the USDC is paid from the buffer or funded by the strategy ` +
            `(ussi:fulfil); then claim it with: npx hardhat ussi:claim --id ${r.requestId} --network ${hre.network.name}`
        );
    })
  );

task("ussi:fulfil", "Funds settled redemptions (priced at their NAV): from the vault's liquid buffer first, the rest from the strategy's USDC")
  .addOptionalParam("max", "Most USDC the strategy deposits now, e.g. 5000 (default: everything owed)")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { max?: string; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      const part = await c.loadUssi(client);
      const max = args.max === undefined ? undefined : parsePositiveAmount(args.max, "max", part.usdcDecimals);
      const r = await c.ussiFulfil(client, part, max);
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify(r)) + "\n");
        return;
      }
      const u = (x: bigint) => `${formatUnitsExact(x, part.usdcDecimals)} USDC`;
      console.log(
        `funded settled redemptions with ${u(r.fromBuffer)} from the liquid buffer and ${u(r.assetsIn)} from ${r.caller} (tx ${r.hash}); ` +
          `${u(r.owed - r.funded)} still owed. Owners claim with ussi:claim.`
      );
    })
  );

task("ussi:claim", "Claims settled requests of the caller: USSI for deposits, USDC for funded redemptions (all claimable ones without --id)")
  .addOptionalParam("id", "Request id (from ussi:mint or ussi:redeem); default: every claimable request of the caller")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { id?: string; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      const requestId = args.id === undefined ? undefined : wholeNumber(args.id, "id", false);
      const part = await c.loadUssi(client);
      const [me] = await hre.ethers.getSigners();
      const results = await c.ussiClaim(part, me!, requestId);
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify(results)) + "\n");
        return;
      }
      for (const r of results)
        console.log(
          `claimed request ${r.id} (${r.kind}, epoch ${r.epoch}, settled at ${formatNavPerToken(r.navPerToken)} per USSI): ${formatUnitsExact(
            r.amount,
            r.unit === "USDC" ? part.usdcDecimals : 18
          )} ${r.unit} to ${me!.address} (tx ${r.hash})`
        );
    })
  );

task("ussi:status", "USSI: the last NAV report (as of its time), the open epoch and its requests, funding of redemptions, buffer, limits, pause")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: { json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const c = await chain();
      const part = await c.loadUssi(client);
      const s = await c.readUssiStatus(client, part);
      if (args.json) {
        process.stdout.write(JSON.stringify(jsonify(s)) + "\n");
        return;
      }
      const u = (x: bigint) => `${formatUnitsExact(x, s.usdcDecimals)} USDC`;
      const table = new Table({ head: ["USSI " + s.vault, "value"], style: { compact: true } });
      const n = s.nav;
      const asOf = n.timestamp === 0n ? "" : ` as of ${formatIsoSecond(Number(n.timestamp))}`;
      table.push(
        ["last report round / valuation time", n.timestamp === 0n ? "no report yet" : `${n.round} / ${formatIsoSecond(Number(n.timestamp))}`],
        ["report age", n.age === undefined ? "-" : `${n.age} s (${n.fresh ? "fresh" : "STALE"}, max ${s.limits.maxNavAge} s)`],
        [`NAV (USD)${asOf}`, formatUsd(n.nav)],
        [`NAV per USSI${asOf}`, formatNavPerToken(n.navPerToken)],
        ["  spot value", formatUsd(n.spotValue)],
        ["  perp unrealised PnL", formatUsd(n.perpPnl)],
        ["  funding accrued", formatUsd(n.fundingAccrued)],
        ["  cash (implied)", formatUsd(n.cash)],
        ["  |net delta|", `${n.netDeltaBps} bps of NAV`],
        ["USSI supply", formatUnitsExact(s.totalSupply, 18)],
        [
          `open epoch ${s.epoch.current}`,
          `deposits ${u(s.epoch.depositUsdc)} + ${formatUnitsExact(s.epoch.depositIndex, 18)} MAG7.ssi, redemptions ${formatUnitsExact(
            s.epoch.redeemShares,
            18
          )} USSI: they settle at the NAV per USSI of the next accepted report (not known yet)`,
        ],
        ["redemptions owed / funded", `${u(s.funding.owed)} / ${u(s.funding.funded)} (${u(s.funding.outstanding)} outstanding: ussi:fulfil)`],
        ["buffer target / liquid", `${u(s.buffer.target)} / ${u(s.buffer.liquid)}`],
        ["reserved for claims", u(s.buffer.reserved)],
        ["instant redemption left this epoch", `${u(s.buffer.instantCapacity)} (at the last NAV less ${s.limits.maxNavChangeBps} bps)`],
        ["MAG7.ssi held", formatUnitsExact(s.buffer.mag7Held, 18)],
        [
          "limits",
          `maxNavChange ${s.limits.maxNavChangeBps} bps, maxNetDelta ${s.limits.maxNetDeltaBps} bps, buffer ${s.limits.bufferTargetBps} bps, MAG7.ssi haircut ${s.limits.indexHaircutBps} bps, instant cap ${s.limits.instantCapBps} bps, minimum request ${formatUsd(s.limits.minRequestUsd)}`,
        ],
        ["paused (risk role)", s.paused ? "yes: deposits stopped; redemptions, settlement and claims open" : "no"],
        ["delta breach", s.deltaBreachRound === 0n ? "none" : `round ${s.deltaBreachRound}: deposits paused until a compliant report`],
        ["deposits", s.depositsOpen ? "open" : "closed"]
      );
      console.log(table.toString());
      if (s.requests.length > 0) {
        const q = new Table({ head: ["request", "owner", "kind", "amount", "epoch", "state", "price (NAV per USSI)"], style: { compact: true } });
        for (const p of s.requests)
          q.push([
            p.id.toString(),
            p.owner,
            p.kind,
            formatUnitsExact(p.amount, p.kind === "deposit (USDC)" ? s.usdcDecimals : 18),
            p.epoch.toString(),
            p.state,
            p.navPerToken === undefined ? "the next accepted report's" : formatNavPerToken(p.navPerToken),
          ]);
        console.log(q.toString());
      }
    })
  );

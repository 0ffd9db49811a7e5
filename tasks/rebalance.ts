/**
 * `ssi:rebalance`: the keeper's monthly rebalance of one SSI vault on its Rebalancer (issue 3).
 * A thin wrapper over tasks/lib/rebalance.ts (loaded when the task runs: it imports TypeChain).
 */
import { task } from "hardhat/config";
import Table from "cli-table3";
import { fail, parseChoice, parsePositiveAmount, userErrors } from "./lib/args";
import { SSI_PRODUCTS } from "../ignition/modules/IndexVault";

const lib = () => import("./lib/rebalance");

interface Args {
  index: string;
  dryRun: boolean;
  maxTradeUsd?: string;
  json: boolean;
}

task("ssi:rebalance", "Plans and executes a vault's rebalance to its latest accepted weights through its Rebalancer (Uniswap V3), then verifies the basket against the targets")
  .addParam("index", `the product: ${SSI_PRODUCTS.join(" | ")}`)
  .addFlag("dryRun", "print the plan (trades, oracle floors, pool quotes, turnover, gas) and send nothing")
  .addOptionalParam("maxTradeUsd", "largest trade in USD (larger legs are split); at most the Rebalancer's cap (default: that cap)")
  .addFlag("json", "print only JSON on stdout")
  .setAction(async (args: Args, hre) =>
    userErrors(async () => {
      // == Validate every argument before reading or sending anything ==
      const product = parseChoice(args.index, "index", SSI_PRODUCTS);
      const maxTradeUsd = args.maxTradeUsd === undefined ? undefined : parsePositiveAmount(args.maxTradeUsd, "max-trade-usd", 18);
      if (maxTradeUsd !== undefined && maxTradeUsd < 10n ** 16n) fail(`--max-trade-usd ${args.maxTradeUsd} is below one cent`);
      const info = (l: string) => (args.json ? console.error(l) : console.log(l));

      const { loadRecord } = await import("./lib/ssi-chain");
      const { planRebalance, executeRebalance, fmtAmount, fmtPath, fmtPct, fmtUsd, toJson } = await lib();
      const { tokenIndex } = await import("./lib/deployment");
      const record = await loadRecord(hre);
      const p = await planRebalance(hre, record, product, maxTradeUsd === undefined ? {} : { maxTradeUsd });
      const { state, plan, trades } = p;
      const index = tokenIndex(record);
      const symbolOf = (a: string) => index.get(a.toLowerCase())?.asset ?? a;
      const decimalsOf = (a: string) => index.get(a.toLowerCase())?.token.decimals ?? 18;
      const symbol = record.products[product]!.symbol;
      const s = plan.summary;
      const turnoverPct = s.navUsd === 0n ? 0n : (s.turnoverUsd * 10n ** 18n) / s.navUsd;
      const quoteGas = trades.reduce((a, t) => a + (t.quoteGas ?? 0n), 0n);

      // == The plan ==
      if (!args.json) {
        info(`${symbol} rebalance to round ${state.round} on ${record.network}: window ${state.window.openRound === state.round ? "open" : "closed"}, last completed round ${state.window.completedRound}`);
        info(`NAV ${fmtUsd(s.navUsd)} · turnover ${fmtUsd(s.turnoverUsd)} (${fmtPct(turnoverPct)} of NAV) · ${trades.length} trade(s) · cap ${fmtUsd(p.maxTradeUsd)}/trade · dust ${fmtUsd(p.dustUsd)} · slippage bound ${state.limits.maxSlippageBps} bps · tolerance ${state.limits.toleranceBps} bps · cool-off ${state.limits.cooldown} s`);
        const w = new Table({ head: ["token", "now", "target", "planned"], style: { compact: true, head: [] } });
        for (const pos of state.positions) {
          const k = pos.address.toLowerCase();
          w.push([pos.symbol, fmtPct(s.currentWeights[k] ?? 0n), fmtPct(state.targets.get(pos.address) ?? 0n), fmtPct(s.expectedWeights[k] ?? 0n)]);
        }
        info(w.toString());
        if (trades.length > 0) {
          const t = new Table({ head: ["#", "sell", "buy", "path", "amount in", "USD", "expected out (oracle)", "min out (floor)", "pool quote", "gas", "when"], style: { compact: true, head: [] } });
          trades.forEach((x, i) => {
            const dOut = decimalsOf(x.tokenOut);
            const floor = x.oracleMinOut > x.minAmountOut ? x.oracleMinOut : x.minAmountOut;
            const vsOracle = x.quotedOut === undefined || x.expectedAmountOut === 0n ? "" : ` (${Number(((x.quotedOut - x.expectedAmountOut) * 1_000_000n) / x.expectedAmountOut) / 10_000}%)`;
            t.push([
              i + 1, x.symbolIn, x.symbolOut, fmtPath(x, symbolOf), fmtAmount(x.amountIn, decimalsOf(x.tokenIn)), fmtUsd(x.usdValue),
              fmtAmount(x.expectedAmountOut, dOut), fmtAmount(floor, dOut), x.quotedOut === undefined ? "-" : `${fmtAmount(x.quotedOut, dOut)}${vsOracle}`,
              x.quoteGas?.toString() ?? "-", x.batch !== undefined ? `batch ${x.batch}` : `after ${new Date(Number(x.waitUntil!) * 1000).toISOString()}`,
            ]);
          });
          info(t.toString());
        }
        for (const d of s.skippedDust) info(`  not traded (within dust): ${d.symbol} ${fmtUsd(d.deltaUsd)} from target`);
        for (const d of s.skippedSide) info(`  not traded (the window's side forbids it): ${d.symbol} ${fmtUsd(d.deltaUsd)} from target`);
        if (p.batchGas !== undefined) info(`gas (estimateGas, window open): ${p.batchGas.map((g, i) => `batch ${i + 1} ${g}`).join(", ")}`);
        else if (trades.length > 0) info(`gas: swaps alone ${quoteGas} (QuoterV2 estimate; estimateGas of executeTrades needs the window open, which --dry-run does not do)`);
        for (const b of p.blockers) info(`BLOCKED: ${b}`);
      }
      const planJson = {
        index: product, symbol, network: record.network, round: state.round, navUsd: s.navUsd, turnoverUsd: s.turnoverUsd, turnoverWad: turnoverPct,
        tradedUsd: s.tradedUsd, maxTradeUsd: p.maxTradeUsd, dustUsd: p.dustUsd, limits: state.limits,
        weights: state.positions.map((pos) => ({ symbol: pos.symbol, token: pos.address, current: s.currentWeights[pos.address.toLowerCase()] ?? 0n, target: state.targets.get(pos.address) ?? 0n, planned: s.expectedWeights[pos.address.toLowerCase()] ?? 0n })),
        trades: trades.map((x) => ({
          sell: x.symbolIn, buy: x.symbolOut, tokenIn: x.tokenIn, tokenOut: x.tokenOut, path: x.path.map(symbolOf), fees: x.fees, amountIn: x.amountIn, usdValue: x.usdValue,
          expectedAmountOut: x.expectedAmountOut, minAmountOut: x.minAmountOut, oracleMinOut: x.oracleMinOut, quotedOut: x.quotedOut, quoteGas: x.quoteGas, batch: x.batch, waitUntil: x.waitUntil,
        })),
        skippedDust: s.skippedDust, skippedSide: s.skippedSide, batchGas: p.batchGas, quoteGas, blockers: p.blockers,
      };

      if (p.done) {
        info(`${symbol} round ${state.round} is already rebalanced (completed round ${state.window.completedRound}): nothing to do`);
        if (args.json) console.log(JSON.stringify(toJson({ ...planJson, status: "nothing-to-do" }), null, 2));
        return;
      }
      if (args.dryRun) {
        info(`dry run: nothing was sent. Execute with: npx hardhat ssi:rebalance --index ${product} --network ${hre.network.name}`);
        if (args.json) console.log(JSON.stringify(toJson({ ...planJson, status: "dry-run" }), null, 2));
        return;
      }

      // == Execute, close, verify ==
      const r = await executeRebalance(hre, record, p, info);
      if (!args.json) {
        const t = new Table({ head: ["token", "weight", "target", "off by", "within tolerance"], style: { compact: true, head: [] } });
        for (const row of r.check.rows) t.push([row.symbol, fmtPct(row.weight), fmtPct(row.target), fmtPct(row.diff), row.ok ? "yes" : "NO"]);
        info(t.toString());
        const loss = r.navBefore - r.navAfter;
        info(`executed ${r.executed.length} trade(s) in ${r.batchGasUsed.length} batch(es), gas ${r.batchGasUsed.join(" + ") || "0"}${r.openGasUsed !== undefined ? ` (open ${r.openGasUsed})` : ""}${r.closeGasUsed !== undefined ? ` (close ${r.closeGasUsed})` : ""}`);
        info(`NAV ${fmtUsd(r.navBefore)} -> ${fmtUsd(r.navAfter)} (change ${fmtUsd(-loss)}; slippage bound ${fmtUsd(r.slippageBoundUsd)})`);
      }
      if (r.status === "partial") {
        for (const w of r.waiting) info(`waiting on the cool-off: ${w.symbolIn} -> ${w.symbolOut} ${w.amountIn} until ${new Date(Number(w.until) * 1000).toISOString()}`);
        info(`${r.waiting.length} trade(s) wait on the per-pair cool-off: the window stays open; run ssi:rebalance --index ${product} again after ${new Date(Number(r.waiting.reduce((a, w) => (w.until > a ? w.until : a), 0n)) * 1000).toISOString()} to continue`);
      } else {
        info(`${symbol} round ${state.round} rebalanced and verified: every weight within ${state.limits.toleranceBps} bps of its target`);
      }
      if (args.json) console.log(JSON.stringify(toJson({ ...planJson, status: r.status, result: r }), null, 2));
    }),
  );

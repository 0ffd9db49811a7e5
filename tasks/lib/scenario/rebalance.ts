/**
 * Demo section: one monthly rebalance of MEME.ssi on the local Uniswap V3 pools (issue 3).
 * Month 2 (sample/universe-next.json, SAMPLE data): a month passes, the MEME constituents' prices move
 * to the file's month-2 prices (feeds updated and pools arbitraged to them; the other tokens keep their
 * month-1 prices), the month-2 weights are signed and pushed (BRETT enters at rank N-B, FARTCOIN leaves,
 * SPX stays at rank N+1), then the keeper runs `ssi:rebalance --dry-run` and `ssi:rebalance`.
 */
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { loadUniverseFile } from "../../../src/data/universe";
import { computeIndex, formatWadPercent, MEME } from "../../../src/methodology";
import { buildSignedReport, executeMint, planMint, samplePrices, submitReport, vaultOf } from "../../../chain/ssi";
import { fmtPct, fmtUsd, readRebalanceState } from "../../../chain/rebalance";
import { checkWeights } from "../../../src/rebalance";
import { moveMarket } from "../../../chain/market-move";
import type { MarketAddresses } from "../../../chain/market";
import { requireDeployment, type DemoContext, type DemoSection } from "./context";

const WAD = 10n ** 18n;
const MONTH2 = path.join(__dirname, "..", "..", "..", "sample", "universe-next.json");
/** MEME.ssi Alice adds before the month-end, so the trades are sized like a small fund's (~$100k). */
const TOP_UP = 995n;

export const rebalanceSection: DemoSection = {
  name: "Monthly rebalance (MEME.ssi on the local Uniswap V3 pools)",
  async run(ctx: DemoContext) {
    const { hre, client, print, signers } = ctx;
    const record = requireDeployment(ctx);
    const u2 = loadUniverseFile(MONTH2);

    print.heading("7. Month 2: prices move, MEME.ssi's month-2 weights are signed and pushed");
    const meme = vaultOf(record, "MEME", signers.alice);
    await executeMint(meme, signers.alice, TOP_UP * WAD, signers.alice.address, await planMint(record, meme, signers.alice, TOP_UP * WAD));
    print.line(`Alice mints ${TOP_UP} more MEME.ssi (the vault now holds about $100k)`);
    const incumbents = (await readRebalanceState(client, record, "MEME")).positions.map((p) => p.symbol);
    await time.increase(31 * 86_400);
    const memeSymbols = new Set([...incumbents, ...computeIndex(MEME, u2, incumbents).constituents.map((c) => c.symbol)]);
    const prices = Object.fromEntries(Object.entries(samplePrices(u2)).filter(([s]) => memeSymbols.has(s)));
    const market = { chainId: record.chainId, tokens: record.tokens, uniswap: record.uniswap, hubs: record.hubs } as unknown as MarketAddresses;
    const moved = await moveMarket(signers.deployer, market, prices);
    print.line(`31 days later (${u2.date}): ${moved.feeds} feeds moved to month-2 prices, ${moved.pools} Uniswap pools arbitraged to them (other tokens keep month-1 prices)`);
    const plan = await buildSignedReport(client, record, "MEME", u2, { validFor: 3600n });
    await submitReport(client, record, "MEME", plan.signed, signers.alice);
    const c = plan.composition!;
    const kept = c.constituents.map((x) => x.symbol);
    const entered = kept.filter((s) => !incumbents.includes(s));
    const left = incumbents.filter((s) => !kept.includes(s));
    print.line(`MEME.ssi round ${plan.signed.report.round} accepted: entered ${entered.join(", ") || "-"} (rank ${entered.map((s) => c.constituents.find((x) => x.symbol === s)!.rank).join(", ")}), left ${left.join(", ") || "-"}; ` +
      `kept by the buffer: ${c.constituents.filter((x) => x.rank > MEME.constituents).map((x) => `${x.symbol} (rank ${x.rank})`).join(", ") || "-"}`);

    const before = await readRebalanceState(client, record, "MEME");
    const wBefore = checkWeights(before.positions, before.targets, before.limits.toleranceBps);

    print.heading("8. The keeper's plan (ssi:rebalance --index MEME --dry-run)");
    await hre.run("ssi:rebalance", { index: "MEME", dryRun: true, json: false });

    print.heading("9. The keeper rebalances (ssi:rebalance --index MEME)");
    await hre.run("ssi:rebalance", { index: "MEME", dryRun: false, json: false });

    const after = await readRebalanceState(client, record, "MEME");
    const wAfter = checkWeights(after.positions, after.targets, after.limits.toleranceBps);
    const rows = new Map<string, (string | number)[]>();
    for (const r of wBefore.rows) rows.set(r.address, [r.symbol, fmtPct(r.weight), fmtPct(r.target), "0.00%"]);
    for (const r of wAfter.rows) {
      const row = rows.get(r.address) ?? [r.symbol, "0.00%", fmtPct(r.target)];
      row[3] = fmtPct(r.weight);
      rows.set(r.address, row);
    }
    print.line("MEME.ssi composition before and after (value weights at the feeds):");
    print.table(["constituent", "before", "target", "after"], [...rows.values()]);
    // Turnover: what was sold, valued at the feeds = half the L1 distance between before and after.
    let l1 = 0n;
    for (const r of wBefore.rows) {
      const a = wAfter.rows.find((x) => x.address === r.address)?.weight ?? 0n;
      l1 += r.weight > a ? r.weight - a : a - r.weight;
    }
    const turnover = l1 / 2n; // {WAD} rounded down
    const loss = wBefore.navUsd - wAfter.navUsd;
    print.line(`turnover ${formatWadPercent(turnover, 2)} of NAV (about ${fmtUsd((turnover * wBefore.navUsd) / WAD)}); NAV ${fmtUsd(wBefore.navUsd)} -> ${fmtUsd(wAfter.navUsd)} (cost ${fmtUsd(loss)}, pool fees and price impact)`);
    ctx.summary.push({
      section: this.name,
      lines: [
        `MEME.ssi round 2: ${entered.join(", ")} in, ${left.join(", ")} out; turnover ${formatWadPercent(turnover, 2)} of NAV; every weight within ${after.limits.toleranceBps} bps of target; NAV ${fmtUsd(wBefore.navUsd)} -> ${fmtUsd(wAfter.navUsd)}`,
      ],
    });
  },
};

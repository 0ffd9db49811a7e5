/**
 * Index token tasks: index:mint, index:redeem, index:status, index:faucet. Thin: arguments are
 * parsed and checked here (before anything is sent), the chain work is in `chain/ssi.ts`.
 */
import { task } from "hardhat/config";
import Table from "cli-table3";
import { firstSigner, parseAddressArg, parseChoice, parsePositiveAmount, userErrors } from "./lib/args";
import type { Leg, VaultStatus } from "../chain/ssi";
import { formatUnitsExact, formatUsd, jsonify } from "../src/lib/format";
import { SSI_PRODUCTS } from "../ignition/modules/IndexVault";
import type { ZapArgs } from "./lib/zap";

/** The vaults these tasks serve: the SSI products and SANX (the same list as `INDEX_VAULTS` of the lib, which loads TypeChain). */
export const INDEXES = [...SSI_PRODUCTS, "SANX"] as const;

/**
 * The chain library is loaded when a task runs, not when Hardhat loads its config: it imports the
 * TypeChain bindings, which do not exist on a fresh clone until the first compile.
 */
const chain = () => import("../chain/ssi");
import { formatWadPercent } from "../src/methodology";
import { clientFromHre } from "./lib/client";

function legTable(legs: readonly Leg[], header: string): string {
  const withMin = legs.some((l) => l.min !== undefined);
  const head = ["constituent", header, "base units", ...(withMin ? ["min accepted (base units)"] : []), "token"];
  const table = new Table({ head, style: { compact: true } });
  for (const l of legs) {
    table.push([l.symbol, formatUnitsExact(l.amount, l.decimals), l.amount.toString(), ...(withMin ? [String(l.min)] : []), l.token]);
  }
  return table.toString();
}

task("index:mint", "Mints index tokens in kind: shows the constituent amounts, approves exactly them, and mints")
  .addParam("index", `the index: ${INDEXES.join(" | ")}`)
  .addParam("shares", "index tokens to mint (whole tokens, decimals allowed, e.g. 2.5)")
  .addOptionalParam("to", "receiver of the index tokens (default: the sender)")
  .addOptionalParam("pay", "zap: pay with one token instead of in kind: USDC | ETH | <token symbol or address> (IndexZap, Uniswap V3)")
  .addOptionalParam("maxSlippageBps", "zap: bound above the quote, in bps", "50")
  .addOptionalParam("maxNavDeviationBps", "zap: refuse a quote worse than the Chainlink NAV by more than this, in bps", "200")
  .addOptionalParam("zap", "zap: the IndexZap address (default: Ignition's deployment of ignition/modules/Zap.ts)")
  .setAction(async (args: { index: string; shares: string; to?: string } & ZapArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const product = parseChoice(args.index, "index", INDEXES);
      const shares = parsePositiveAmount(args.shares, "shares", 18);
      const to = args.to === undefined ? undefined : parseAddressArg(args.to, "to");
      if (args.pay !== undefined) return (await import("./lib/zap")).zapTask(hre, "mint", product, shares, args.pay, args, to);
      const { executeMint, loadRecord, planMint, vaultEntry, vaultOf } = await chain();
      const record = await loadRecord(client);
      const sender = await firstSigner(hre);
      const vault = vaultOf(record, product, sender);
      const receiver = to ?? sender.address;
      const symbol = vaultEntry(record, product).symbol;
      const plan = await planMint(record, vault, sender, shares);
      console.log(`minting ${formatUnitsExact(shares, 18)} ${symbol} to ${receiver} takes (approved exactly, maxAmountsIn = these):`);
      console.log(legTable(plan, "amount in"));
      const hash = await executeMint(vault, sender, shares, receiver, plan);
      console.log(`minted (tx ${hash}); ${receiver} now holds ${formatUnitsExact(await vault.balanceOf(receiver), 18)} ${symbol}`);
    }),
  );

task("index:redeem", "Redeems index tokens in kind for the constituents (minAmountsOut = previewRedeem)")
  .addParam("index", `the index: ${INDEXES.join(" | ")}`)
  .addParam("shares", "index tokens to redeem (whole tokens, decimals allowed)")
  .addOptionalParam("to", "receiver of the constituents (default: the sender)")
  .addOptionalParam("receive", "zap: receive one token instead of in kind: USDC | ETH | <token symbol or address> (IndexZap, Uniswap V3)")
  .addOptionalParam("maxSlippageBps", "zap: bound below the quote, in bps", "50")
  .addOptionalParam("maxNavDeviationBps", "zap: refuse a quote worse than the Chainlink NAV by more than this, in bps", "200")
  .addOptionalParam("zap", "zap: the IndexZap address (default: Ignition's deployment of ignition/modules/Zap.ts)")
  .setAction(async (args: { index: string; shares: string; to?: string } & ZapArgs, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const product = parseChoice(args.index, "index", INDEXES);
      const shares = parsePositiveAmount(args.shares, "shares", 18);
      const to = args.to === undefined ? undefined : parseAddressArg(args.to, "to");
      if (args.receive !== undefined) return (await import("./lib/zap")).zapTask(hre, "redeem", product, shares, args.receive, args, to);
      const { executeRedeem, loadRecord, planRedeem, REDEEM_WINDOW, vaultEntry, vaultOf } = await chain();
      const record = await loadRecord(client);
      const sender = await firstSigner(hre);
      const vault = vaultOf(record, product, sender);
      const receiver = to ?? sender.address;
      const symbol = vaultEntry(record, product).symbol;
      const plan = await planRedeem(record, vault, sender, shares, symbol);
      console.log(`redeeming ${formatUnitsExact(shares, 18)} ${symbol} pays ${receiver} (previewRedeem now; minAmountsOut = the preview at the latest landing time, now + ${REDEEM_WINDOW} s, as the fee streams):`);
      console.log(legTable(plan, "amount out"));
      const hash = await executeRedeem(vault, sender, shares, receiver, plan);
      console.log(`redeemed (tx ${hash}); ${sender.address} now holds ${formatUnitsExact(await vault.balanceOf(sender.address), 18)} ${symbol}`);
    }),
  );

/** The status as JSON: bigints as decimal strings. */
export function statusToJson(s: VaultStatus): unknown {
  return jsonify(s);
}

export function statusTables(s: VaultStatus): string {
  const lines: string[] = [];
  lines.push(`${s.name} (${s.symbol}) at ${s.vault}`);
  const summary = new Table({ style: { compact: true } });
  summary.push(
    { supply: `${formatUnitsExact(s.totalSupply, 18)} ${s.symbol} (effective, with pending fees: ${formatUnitsExact(s.effectiveSupply, 18)})` },
    { NAV: formatUsd(s.nav) },
    { "NAV per token": formatUsd(s.navPerShare) },
    { "targets round": s.targetsRound.toString() },
    { fee: `${formatWadPercent(s.fee.rate, 2)}/year (cap ${formatWadPercent(s.fee.maxRate, 2)}) to ${s.fee.recipient}; pending ${formatUnitsExact(s.fee.pendingFeeShares, 18)} shares; unit scale ${formatUnitsExact(s.fee.scale, 18)}` },
    { paused: s.paused ? "YES: mint stopped, redeem open" : "no" },
  );
  lines.push(summary.toString());
  const table = new Table({ head: ["constituent", "units per token", "vault balance", "target weight", "token"], style: { compact: true } });
  for (const c of s.constituents) {
    table.push([c.symbol, formatUnitsExact(c.units, c.decimals), formatUnitsExact(c.balance, c.decimals), c.targetWeight === undefined ? "(leaving)" : formatWadPercent(c.targetWeight, 2), c.token]);
  }
  for (const p of s.pendingTargets) table.push([p.symbol, "-", "-", `${formatWadPercent(p.weight, 2)} (not held yet)`, p.token]);
  lines.push(table.toString());
  return lines.join("\n");
}

task("index:status", "Shows an index vault: composition, units, balances, target weights, NAV, fee and pause state")
  .addParam("index", `the index: ${INDEXES.join(" | ")}`)
  .addFlag("json", "print only JSON on stdout")
  .setAction(async (args: { index: string; json: boolean }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const product = parseChoice(args.index, "index", INDEXES);
      const { loadRecord, readStatus } = await chain();
      const record = await loadRecord(client);
      const status = await readStatus(client, record, product);
      console.log(args.json ? JSON.stringify(statusToJson(status), null, 2) : statusTables(status));
    }),
  );

task("index:faucet", "Mints test amounts of every sample constituent token (networks deployed with ssi:deploy --sample-market only)")
  .addOptionalParam("to", "receiver (default: the sender)")
  .addOptionalParam("amount", "USD value of each token to mint, at its feed price", "10000")
  .setAction(async (args: { to?: string; amount: string }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const to = args.to === undefined ? undefined : parseAddressArg(args.to, "to");
      const usd = parsePositiveAmount(args.amount, "amount", 0);
      const { faucet, loadRecord } = await chain();
      const record = await loadRecord(client);
      const sender = await firstSigner(hre);
      const receiver = to ?? sender.address;
      const minted = await faucet(client, record, receiver, usd, sender);
      const table = new Table({ head: ["token", "amount"], style: { compact: true } });
      for (const m of minted) table.push([m.symbol, formatUnitsExact(m.amount, m.decimals)]);
      console.log(`minted about $${usd} of each of ${minted.length} sample tokens to ${receiver}:`);
      console.log(table.toString());
    }),
  );

task("index:refresh-feeds", "Re-stamps the sample market's mock price feeds at their current answers (sample markets only; real Chainlink feeds are left alone)")
  .setAction(async (_args: Record<string, never>, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const { refreshSampleFeeds, loadRecord } = await chain();
      const record = await loadRecord(client);
      const sender = await firstSigner(hre);
      const refreshed = await refreshSampleFeeds(client, record, sender);
      console.log(`refreshed ${refreshed.length} mock feed(s): ${refreshed.join(", ")}`);
    }),
  );

/**
 * The one-token path of index:mint --pay / index:redeem --receive (issue 11) as the tasks print it:
 * the quote per constituent, the bound, the premium against the Chainlink NAV, what was actually paid.
 * The quoting and sending are in chain/zap.ts.
 */
import type { Signer } from "ethers";
import Table from "cli-table3";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { IERC20Metadata__factory, IndexVault__factory } from "../../typechain-types";
import { DEFAULT_MAX_NAV_DEVIATION_BPS } from "../../src/zap";
import { InputError } from "../../src/lib/errors";
import { formatUnitsExact, formatUsd } from "../../src/lib/format";
import type { DeploymentRecord } from "../../chain/deployment";
import type { IndexName } from "../../chain/ssi";
import { quoteZapOnChain, resolveZap, sendZapMint, sendZapRedeem, zapAt, zapMarketOf, type ZapResult, type ZapTaskArgs } from "../../chain/zap";
import { fail, firstSigner, parseAddressArg } from "./args";
import { clientFromHre } from "./client";

/** Shows the quote, the bound and the NAV comparison, refuses a quote too far from NAV, sends, reports the actual amount. */
export async function runZapTask(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, who: Signer, a: ZapTaskArgs): Promise<ZapResult> {
  const provider = hre.ethers.provider;
  const zap = zapAt(resolveZap(record.chainId, a.zap), who);
  const native = a.token.toUpperCase() === "ETH";
  let payToken: string;
  if (native) payToken = await zap.weth();
  else if (/^0x[0-9a-fA-F]{40}$/.test(a.token)) payToken = a.token;
  else {
    const key = Object.keys(record.tokens).find((k) => k.toUpperCase() === a.token.toUpperCase());
    if (key === undefined) fail(`unknown token ${a.token}: use USDC, ETH, a token of deployments/${record.network}.json (${Object.keys(record.tokens).join(", ")}) or an address`);
    payToken = record.tokens[key]!.address;
  }
  const me = await who.getAddress();
  if (a.side === "mint" && (await IndexVault__factory.connect(a.vault, provider).paused())) fail(`minting ${a.symbol} is paused by the guardian (redeeming, also to one token, stays open)`);
  if (a.side === "redeem") {
    const bal = await IndexVault__factory.connect(a.vault, provider).balanceOf(me);
    if (bal < a.shares) fail(`${me} holds ${formatUnitsExact(bal, 18)} ${a.symbol}, cannot redeem ${formatUnitsExact(a.shares, 18)}`);
  }
  const symbols: Record<string, string> = {};
  for (const [s, t] of Object.entries(record.tokens)) symbols[t.address.toLowerCase()] = s;
  const q = await quoteZapOnChain(provider, zapMarketOf(record), { side: a.side, vault: a.vault, shares: a.shares, payToken, native, maxSlippageBps: a.maxSlippageBps, symbols });
  const pay = q.payToken;
  const table = new Table({ head: ["constituent", a.side === "mint" ? "amount bought" : "amount sold", `${pay.symbol} (quote)`, "route"], style: { compact: true } });
  for (const l of q.legs) {
    const dec = Number(await IERC20Metadata__factory.connect(l.token, provider).decimals());
    const route = l.route === undefined ? "(in kind)" : l.route.tokens.map((t, i) => (symbols[t.toLowerCase()] ?? t) + (i < l.route!.fees.length ? ` -${l.route!.fees[i]! / 10_000}%-> ` : "")).join("");
    table.push([l.symbol, formatUnitsExact(l.amount, dec), formatUnitsExact(l.payAmount, pay.decimals), route]);
  }
  const verb = a.side === "mint" ? "minting" : "redeeming";
  console.log(`${verb} ${formatUnitsExact(a.shares, 18)} ${a.symbol} ${a.side === "mint" ? "paying" : "into"} ${pay.symbol} through IndexZap ${await zap.getAddress()}:`);
  console.log(table.toString());
  const costPct = (q.costBps / 100).toFixed(2);
  console.log(
    `quote: ${formatUnitsExact(q.amount, pay.decimals)} ${pay.symbol} (${formatUsd(q.quoteUsd)} at the oracle price) against a Chainlink NAV of ${formatUsd(q.navUsd)}: ` +
      `${q.costBps >= 0 ? `${costPct}% worse than NAV` : `${(-q.costBps / 100).toFixed(2)}% better than NAV`}`,
  );
  console.log(`bound sent: ${a.side === "mint" ? "maxAmountIn" : "minAmountOut"} = ${formatUnitsExact(q.bound, pay.decimals)} ${pay.symbol} (quote ${a.side === "mint" ? "+" : "-"} ${q.maxSlippageBps} bps)`);
  const limit = a.maxNavDeviationBps ?? DEFAULT_MAX_NAV_DEVIATION_BPS;
  const opts = { native, receiver: a.receiver, maxNavDeviationBps: limit };
  let res: ZapResult;
  try {
    res = a.side === "mint" ? await sendZapMint(zap, who, a.vault, q, opts) : await sendZapRedeem(zap, who, a.vault, q, opts);
  } catch (e) {
    if (e instanceof Error && e.name === "SsiError") throw e;
    const { describeRevert } = await import("../../chain/ssi");
    fail(`IndexZap.${a.side} would revert: ${describeRevert(zap, e)}; nothing was sent (approvals for the zap may have been set)`);
  }
  console.log(
    `${a.side === "mint" ? "minted" : "redeemed"} (tx ${res.hash}, ${res.gasUsed} gas); actually ${a.side === "mint" ? "paid" : "received"} ${formatUnitsExact(res.actual, pay.decimals)} ${pay.symbol}` +
      `${a.side === "mint" ? ` (refunded ${formatUnitsExact(q.bound - res.actual, pay.decimals)} of the bound)` : ""}`,
  );
  return res;
}

/** The one-token options of index:mint / index:redeem (issue 11). */
export interface ZapArgs {
  pay?: string;
  receive?: string;
  maxSlippageBps: string;
  maxNavDeviationBps: string;
  zap?: string;
}

/** The zap code path (tasks/lib/zap.ts): the in-kind paths below are unchanged. */
export async function zapTask(hre: HardhatRuntimeEnvironment, side: "mint" | "redeem", product: IndexName, shares: bigint, token: string, args: ZapArgs, to?: string): Promise<void> {
  const bps = (v: string, name: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n >= 10_000) throw new InputError(`--${name} must be an integer number of bps in [0, 10000), got ${v}`);
    return n;
  };
  const opts = { maxSlippageBps: bps(args.maxSlippageBps, "max-slippage-bps"), maxNavDeviationBps: bps(args.maxNavDeviationBps, "max-nav-deviation-bps") };
  const zap = args.zap === undefined ? undefined : parseAddressArg(args.zap, "zap");
  const { loadRecord, vaultEntry, vaultOf } = await import("../../chain/ssi");
  const record = await loadRecord(clientFromHre(hre));
  const sender = await firstSigner(hre);
  const vault = await vaultOf(record, product, sender).getAddress();
  await runZapTask(hre, record, sender, { side, vault, symbol: vaultEntry(record, product).symbol, shares, token, ...opts, zap, receiver: to });
}

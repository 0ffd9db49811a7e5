/**
 * Read-only chain reads behind `npx hardhat report` (issue 12): views and events of the SSI vaults, their
 * Rebalancers, SANX and USSI, through the TypeChain factories. Every function takes an ethers provider
 * and the deployment record first, sends nothing, and returns the plain data of `src/report/types.ts`.
 *
 * Events are read from the deployment's block on (`protocol.block`, `sanx.block`, `ussi.block`) in one
 * `queryFilter` each: fine for a local chain or a recent deployment; a node with a small log-range limit
 * would need the range chunked.
 */
import { existsSync, readFileSync } from "node:fs";
import { getAddress, type Provider } from "ethers";
import {
  IERC20Metadata__factory,
  IndexVault__factory,
  PriceRegistry__factory,
  Rebalancer__factory,
  SanxBasket__factory,
  SanxController__factory,
  SignalOracle__factory,
  UssiVault__factory,
  type IndexVault,
} from "../typechain-types";
import { formatDay } from "../src/lib/csv";
import type {
  Holding,
  RebalanceRound,
  SanxActionRow,
  SanxChainData,
  SanxSignalRow,
  SsiProductData,
  Source,
  TargetsRound,
  TradeRow,
  UssiChainData,
  UssiEpochRow,
  UssiReportRow,
} from "../src/report/types";
import { InputError } from "../src/lib/errors";
import { tokenIndex, type DeploymentRecord } from "./deployment";
import type { SanxPart } from "./sanx";
import type { UssiPart } from "./ussi";

/** The whole record file: the SSI protocol, and the SANX and USSI parts when deployed. */
export interface ReportRecord {
  record: DeploymentRecord;
  sanx: SanxPart | undefined;
  ussi: UssiPart | undefined;
}

/** Reads `deployments/<network>.json` (written by ssi:deploy, sanx:deploy, ussi:deploy), checked against the chain id. */
export function loadReportRecord(file: string, chainId: number): ReportRecord {
  if (!existsSync(file)) throw new InputError(`no deployment record at ${file}: deploy with ssi:deploy (and sanx:deploy, ussi:deploy) first`);
  const raw = JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord & { sanx?: SanxPart; ussi?: UssiPart };
  if (raw.protocol === undefined || raw.products === undefined) throw new InputError(`${file} holds no SSI protocol: run ssi:deploy first`);
  if (raw.chainId !== chainId) throw new InputError(`${file} is for chain ${raw.chainId}, the provider is on chain ${chainId}`);
  return { record: raw, sanx: raw.sanx, ussi: raw.ussi };
}

/** The chain source of every number read at `block`. */
export async function chainSource(provider: Provider, record: DeploymentRecord, block: number): Promise<Source> {
  const b = await provider.getBlock(block);
  if (b === null) throw new InputError(`block ${block} not found`);
  return { kind: "chain", network: record.network, chainId: Number((await provider.getNetwork()).chainId), block, blockTime: b.timestamp, sample: record.sampleMarket };
}

/** Block timestamps, cached (many events share a block). */
function blockTimes(provider: Provider): (block: number) => Promise<number> {
  const cache = new Map<number, Promise<number>>();
  return (block) => {
    let hit = cache.get(block);
    if (hit === undefined) {
      hit = provider.getBlock(block).then((b) => b?.timestamp ?? 0);
      cache.set(block, hit);
    }
    return hit;
  };
}

function symbolLookup(record: DeploymentRecord): (address: string) => { symbol: string; decimals: number } {
  const index = tokenIndex(record);
  return (a) => {
    const hit = index.get(a.toLowerCase());
    return { symbol: hit?.asset ?? getAddress(a), decimals: hit?.token.decimals ?? 18 };
  };
}

/** The vault's holdings at `block`: balances, units per token, feed prices, values as the vault's nav() sums them. */
async function readHoldings(provider: Provider, record: DeploymentRecord, vault: IndexVault, blockTag: number): Promise<Holding[]> {
  const lookup = symbolLookup(record);
  const registry = PriceRegistry__factory.connect(await vault.priceRegistry({ blockTag }), provider);
  const [tokens, units] = await vault.basket({ blockTag });
  const [, tTokens, tWeights] = await vault.targets({ blockTag });
  const target = new Map(tTokens.map((t, i) => [t.toLowerCase(), tWeights[i]!]));
  const address = await vault.getAddress();
  const out: Holding[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const { symbol } = lookup(token);
    const balance = await IERC20Metadata__factory.connect(token, provider).balanceOf(address, { blockTag });
    const [price, decimals] = await registry.priceAndDecimals(token, { blockTag });
    // {1e18 USD} = floor({tok} * {1e18 USD / whole tok} / 10^decimals): the same term as IndexVault.nav()
    const value = (balance * price) / 10n ** decimals;
    out.push({ symbol, token, decimals: Number(decimals), unitsPerToken: units[i]!, balance, price, value, target: target.get(token.toLowerCase()) });
  }
  return out;
}

async function targetsHistory(provider: Provider, record: DeploymentRecord, vault: IndexVault, fromBlock: number, toBlock: number): Promise<TargetsRound[]> {
  const lookup = symbolLookup(record);
  const time = blockTimes(provider);
  const logs = await vault.queryFilter(vault.filters.TargetsUpdated(), fromBlock, toBlock);
  const out: TargetsRound[] = [];
  for (const l of logs) {
    out.push({
      round: Number(l.args.round),
      block: l.blockNumber,
      time: await time(l.blockNumber),
      weights: [...l.args.tokens].map((t, i) => ({ symbol: lookup(t).symbol, weight: l.args.weights[i]! })),
    });
  }
  return out;
}

/**
 * The rebalance windows of a vault's Rebalancer (opened, closed or expired), each with the trades made in
 * it, valued at the feed price of their block, and the constituents that entered and left against the
 * previous round's targets.
 */
async function rebalanceHistory(
  provider: Provider,
  record: DeploymentRecord,
  rebalancerAddress: string,
  targets: readonly TargetsRound[],
  fromBlock: number,
  toBlock: number,
): Promise<RebalanceRound[]> {
  const lookup = symbolLookup(record);
  const time = blockTimes(provider);
  const rebalancer = Rebalancer__factory.connect(rebalancerAddress, provider);
  const vault = IndexVault__factory.connect(await rebalancer.vault(), provider);
  const registry = PriceRegistry__factory.connect(await vault.priceRegistry(), provider);
  const [opened, closed, expired, trades] = await Promise.all([
    rebalancer.queryFilter(rebalancer.filters.RebalanceOpened(), fromBlock, toBlock),
    rebalancer.queryFilter(rebalancer.filters.RebalanceClosed(), fromBlock, toBlock),
    rebalancer.queryFilter(rebalancer.filters.RebalanceExpired(), fromBlock, toBlock),
    rebalancer.queryFilter(rebalancer.filters.TradeExecuted(), fromBlock, toBlock),
  ]);
  const rounds: RebalanceRound[] = [];
  for (const o of opened) {
    const round = Number(o.args.round);
    const close = closed.find((c) => Number(c.args.round) === round && c.blockNumber >= o.blockNumber);
    const exp = expired.find((c) => Number(c.args.round) === round && c.blockNumber >= o.blockNumber);
    const end = close ?? exp;
    const idx = targets.findIndex((t) => t.round === round);
    const now = idx >= 0 ? targets[idx]!.weights.map((w) => w.symbol) : [];
    const before = idx > 0 ? targets[idx - 1]!.weights.map((w) => w.symbol) : [];
    const rows: TradeRow[] = [];
    for (const t of trades) {
      if (t.blockNumber < o.blockNumber || (end !== undefined && t.blockNumber > end.blockNumber)) continue;
      const a = lookup(t.args.tokenIn);
      const b = lookup(t.args.tokenOut);
      let valueIn: bigint | undefined;
      try {
        const [price, dec] = await registry.priceAndDecimals(t.args.tokenIn, { blockTag: t.blockNumber });
        valueIn = (t.args.amountIn * price) / 10n ** dec; // {1e18 USD}, rounded down
      } catch {
        valueIn = undefined; // the node keeps no state for that block (not an archive node)
      }
      rows.push({
        block: t.blockNumber,
        time: await time(t.blockNumber),
        symbolIn: a.symbol,
        symbolOut: b.symbol,
        decimalsIn: a.decimals,
        decimalsOut: b.decimals,
        amountIn: t.args.amountIn,
        amountOut: t.args.amountOut,
        minAmountOut: t.args.minAmountOut,
        valueIn,
      });
    }
    rounds.push({
      round,
      openedBlock: o.blockNumber,
      openedTime: await time(o.blockNumber),
      closedBlock: end?.blockNumber,
      closedTime: end === undefined ? undefined : await time(end.blockNumber),
      navAtClose: close?.args.nav,
      expired: close === undefined && exp !== undefined,
      entered: now.filter((s) => !before.includes(s)),
      left: before.filter((s) => !now.includes(s)),
      trades: rows,
    });
  }
  return rounds;
}

/** One SSI product (MAG7, MEME, DEFI) at `block`: state, holdings, targets history and rebalances. */
export async function readSsiProduct(provider: Provider, record: DeploymentRecord, product: string, source: Source & { kind: "chain" }): Promise<SsiProductData> {
  const part = record.products[product];
  if (part === undefined) throw new InputError(`deployments/${record.network}.json has no product ${product}`);
  const vault = IndexVault__factory.connect(part.vault, provider);
  const blockTag = source.block;
  const fee = await vault.feeState({ blockTag });
  const claimed = await vault.queryFilter(vault.filters.FeesClaimed(), record.protocol.block, blockTag);
  const holdings = await readHoldings(provider, record, vault, blockTag);
  const [, tTokens, tWeights] = await vault.targets({ blockTag });
  const held = new Set(holdings.map((h) => h.token.toLowerCase()));
  const lookup = symbolLookup(record);
  const targets = await targetsHistory(provider, record, vault, record.protocol.block, blockTag);
  return {
    product,
    name: part.name,
    symbol: part.symbol,
    vault: part.vault,
    source,
    totalSupply: await vault.totalSupply({ blockTag }),
    effectiveSupply: await vault.effectiveSupply({ blockTag }),
    nav: await vault.nav({ blockTag }),
    navPerShare: await vault.navPerShare({ blockTag }),
    paused: await vault.paused({ blockTag }),
    rebalancing: await vault.rebalancing({ blockTag }),
    fee: { rate: fee.rate, recipient: fee.recipient, pendingShares: fee.pendingFeeShares, claimedShares: claimed.reduce((s, l) => s + l.args.shares, 0n) },
    holdings,
    unheldTargets: [...tTokens].flatMap((t, i) => (held.has(t.toLowerCase()) ? [] : [{ symbol: lookup(t).symbol, weight: tWeights[i]! }])),
    targetsHistory: targets,
    rebalances: part.rebalancer === undefined ? [] : await rebalanceHistory(provider, record, part.rebalancer, targets, record.protocol.block, blockTag),
  };
}

const KIND = (k: bigint): "ADD" | "REMOVE" => (k === 1n ? "ADD" : "REMOVE");
const CANCEL_REASONS = ["superseded by the opposite signal", "governance"]; // ISanxController.CancelReason

/** SANX at `block`: membership, targets, pending actions, red button, holdings and the controller's history. */
export async function readSanx(provider: Provider, record: DeploymentRecord, sanx: SanxPart, source: Source & { kind: "chain" }): Promise<SanxChainData> {
  const blockTag = source.block;
  const lookup = symbolLookup(record);
  const time = blockTimes(provider);
  const basket = SanxBasket__factory.connect(sanx.basket, provider);
  const controller = SanxController__factory.connect(sanx.controller, provider);
  const oracle = SignalOracle__factory.connect(sanx.signalOracle, provider);
  const vault = IndexVault__factory.connect(sanx.vault, provider);
  const [round, tTokens, tWeights] = await vault.targets({ blockTag });
  const tracked = [...new Set([...(await oracle.universe({ blockTag })), ...(await controller.members({ blockTag }))].map((a) => getAddress(a)))];
  const pending: SanxChainData["pending"] = [];
  for (const asset of tracked) {
    const [kind, dueAt, signalDay] = await controller.pending(asset, { blockTag });
    if (kind === 0n) continue;
    pending.push({ symbol: lookup(asset).symbol, kind: KIND(kind), signalDay: formatDay(Number(signalDay)), dueAt: Number(dueAt), due: Number(dueAt) <= source.blockTime });
  }
  pending.sort((a, b) => a.dueAt - b.dueAt);
  const from = sanx.block;
  const [scheduled, executed, cancelled, accepted] = await Promise.all([
    controller.queryFilter(controller.filters.ActionScheduled(), from, blockTag),
    controller.queryFilter(controller.filters.ActionExecuted(), from, blockTag),
    controller.queryFilter(controller.filters.ActionCancelled(), from, blockTag),
    oracle.queryFilter(oracle.filters.SignalAccepted(), from, blockTag),
  ]);
  const actions: SanxActionRow[] = [];
  for (const l of scheduled) {
    actions.push({ time: await time(l.blockNumber), block: l.blockNumber, symbol: lookup(l.args.asset).symbol, kind: KIND(l.args.kind), event: "scheduled", signalDay: formatDay(Number(l.args.signalDay)), dueAt: Number(l.args.dueAt), detail: "" });
  }
  for (const l of executed) {
    actions.push({ time: await time(l.blockNumber), block: l.blockNumber, symbol: lookup(l.args.asset).symbol, kind: KIND(l.args.kind), event: "executed", signalDay: formatDay(Number(l.args.signalDay)), dueAt: Number(l.args.dueAt), detail: "" });
  }
  for (const l of cancelled) {
    actions.push({ time: await time(l.blockNumber), block: l.blockNumber, symbol: lookup(l.args.asset).symbol, kind: KIND(l.args.kind), event: "cancelled", signalDay: formatDay(Number(l.args.signalDay)), dueAt: undefined, detail: CANCEL_REASONS[Number(l.args.reason)] ?? `reason ${l.args.reason}` });
  }
  actions.sort((a, b) => a.block - b.block);
  const signalsAccepted: SanxSignalRow[] = [];
  for (const l of accepted) {
    signalsAccepted.push({
      block: l.blockNumber,
      time: await time(l.blockNumber),
      symbol: lookup(l.args.asset).symbol,
      zone: Number(l.args.zone) === 1 ? "OPPORTUNITY" : "DANGER",
      day: formatDay(Number(l.args.day)),
      mvrv: l.args.mvrv,
      threshold: l.args.threshold,
    });
  }
  return {
    source,
    vault: sanx.vault,
    controller: sanx.controller,
    redButton: { controller: await controller.paused({ blockTag }), vault: await vault.paused({ blockTag }) },
    delayDays: Number(await controller.delayDays({ blockTag })),
    reserve: lookup(await basket.reserveAsset({ blockTag })).symbol,
    members: [...(await controller.members({ blockTag }))].map((a) => lookup(a).symbol),
    targets: { round: Number(round), weights: [...tTokens].map((t, i) => ({ symbol: lookup(t).symbol, weight: tWeights[i]! })) },
    pending,
    actions,
    signalsAccepted,
    supply: await vault.totalSupply({ blockTag }),
    nav: await vault.nav({ blockTag }),
    navPerShare: await vault.navPerShare({ blockTag }),
    holdings: await readHoldings(provider, record, vault, blockTag),
  };
}

/** UssiVault.RequestKind. */
const DEPOSIT_USDC = 0n;
const DEPOSIT_INDEX = 1n;

/**
 * USSI at `block`: the NAV reports and the epochs they settled (Requested, EpochSettled, Claimed,
 * Redeemed, Fulfilled events; epochInfo for the epochs with requests), buffer, instant capacity,
 * redemption funding and the delta-limit events.
 */
export async function readUssi(provider: Provider, record: DeploymentRecord, ussi: UssiPart, source: Source & { kind: "chain" }): Promise<UssiChainData> {
  const blockTag = source.block;
  const time = blockTimes(provider);
  const vault = UssiVault__factory.connect(ussi.vault, provider);
  const from = ussi.block;
  const [reported, settledLogs, requested, claimedLogs, redeemed, fulfilled] = await Promise.all([
    vault.queryFilter(vault.filters.NavReported(), from, blockTag),
    vault.queryFilter(vault.filters.EpochSettled(), from, blockTag),
    vault.queryFilter(vault.filters.Requested(), from, blockTag),
    vault.queryFilter(vault.filters.Claimed(), from, blockTag),
    vault.queryFilter(vault.filters.Redeemed(), from, blockTag),
    vault.queryFilter(vault.filters.Fulfilled(), from, blockTag),
  ]);
  const settledBy = new Map(settledLogs.map((l) => [Number(l.args.round), Number(l.args.epoch)]));
  const reports: UssiReportRow[] = reported.map((l) => {
    const r = l.args.report;
    return {
      round: Number(r.round),
      block: l.blockNumber,
      timestamp: Number(r.timestamp),
      nav: r.nav,
      navPerToken: r.navPerToken,
      spotValue: r.spotValue,
      perpPnl: r.perpPnl,
      fundingAccrued: r.fundingAccrued,
      netDeltaBps: r.netDeltaBps,
      settledEpoch: settledBy.get(Number(r.round)),
    };
  });

  const currentEpoch = Number(await vault.currentEpoch({ blockTag }));
  const active = new Set<number>([currentEpoch, ...requested.map((l) => Number(l.args.epoch)), ...redeemed.map((l) => Number(l.args.epoch))]);
  const kindOf = new Map(requested.map((l) => [l.args.requestId, l.args.kind]));
  const epochs: UssiEpochRow[] = [];
  for (const e of [...active].sort((a, b) => a - b)) {
    const info = await vault.epochInfo(e, { blockTag });
    const mine = requested.filter((l) => Number(l.args.epoch) === e);
    const settled = settledLogs.find((l) => Number(l.args.epoch) === e);
    const claimed = { count: 0, ussi: 0n, usdc: 0n, mag7Returned: 0n };
    for (const c of claimedLogs) {
      if (Number(c.args.epoch) !== e) continue;
      claimed.count++;
      const kind = kindOf.get(c.args.requestId);
      if (kind === DEPOSIT_USDC || (kind === DEPOSIT_INDEX && settled !== undefined && settled.args.indexNetPerShare !== 0n)) claimed.ussi += c.args.amount;
      else if (kind === DEPOSIT_INDEX) claimed.mag7Returned += c.args.amount;
      else claimed.usdc += c.args.amount;
    }
    const instant = { count: 0, shares: 0n, assets: 0n };
    for (const r of redeemed) {
      if (Number(r.args.epoch) !== e) continue;
      instant.count++;
      instant.shares += r.args.shares;
      instant.assets += r.args.assets;
    }
    epochs.push({
      epoch: e,
      requests: {
        depositUsdc: mine.filter((l) => l.args.kind === DEPOSIT_USDC).length,
        depositIndex: mine.filter((l) => l.args.kind === DEPOSIT_INDEX).length,
        redeem: mine.filter((l) => l.args.kind !== DEPOSIT_USDC && l.args.kind !== DEPOSIT_INDEX).length,
      },
      depositUsdc: info.depositUsdc,
      depositIndex: info.depositIndex,
      redeemShares: info.redeemShares,
      settled:
        settled === undefined
          ? undefined
          : {
              round: Number(settled.args.round),
              block: settled.blockNumber,
              time: await time(settled.blockNumber),
              navPerToken: settled.args.navPerToken,
              indexNetPerShare: settled.args.indexNetPerShare,
              sharesMinted: settled.args.sharesMinted,
              sharesBurned: settled.args.sharesBurned,
              assetsOwed: settled.args.assetsOwed,
            },
      owedEnd: info.owedEnd,
      claimed,
      instant,
    });
  }

  const fulfilments: UssiChainData["fulfilments"] = [];
  for (const l of fulfilled) {
    fulfilments.push({ block: l.blockNumber, time: await time(l.blockNumber), caller: l.args.caller, fromBuffer: l.args.fromBuffer, assetsIn: l.args.assetsIn, funded: l.args.funded, owed: l.args.owed });
  }
  const deltaEvents: UssiChainData["deltaEvents"] = [];
  for (const l of await vault.queryFilter(vault.filters.DeltaLimitBreached(), from, blockTag)) {
    deltaEvents.push({ block: l.blockNumber, time: await time(l.blockNumber), round: Number(l.args.round), kind: "breached", detail: `net delta ${l.args.netDeltaBps} bps > limit ${l.args.maxNetDeltaBps} bps` });
  }
  for (const l of await vault.queryFilter(vault.filters.DeltaLimitCleared(), from, blockTag)) {
    deltaEvents.push({ block: l.blockNumber, time: await time(l.blockNumber), round: Number(l.args.round), kind: "cleared", detail: `breach of round ${l.args.breachRound} cleared` });
  }
  deltaEvents.sort((a, b) => a.block - b.block);
  const l = await vault.limits({ blockTag });
  const [owed, funded] = await vault.redemptionFunding({ blockTag });
  return {
    source,
    vault: ussi.vault,
    totalSupply: await vault.totalSupply({ blockTag }),
    usdcDecimals: ussi.usdcDecimals,
    paused: await vault.paused({ blockTag }),
    navFresh: await vault.isNavFresh({ blockTag }),
    deltaBreachRound: Number(await vault.deltaBreachRound({ blockTag })),
    limits: {
      maxNavAge: Number(l.maxNavAge),
      maxNavChangeBps: Number(l.maxNavChangeBps),
      maxNetDeltaBps: Number(l.maxNetDeltaBps),
      bufferTargetBps: Number(l.bufferTargetBps),
      indexHaircutBps: Number(l.indexHaircutBps),
      instantCapBps: Number(l.instantCapBps),
      minRequestUsd: l.minRequestUsd,
    },
    buffer: {
      target: await vault.bufferTarget({ blockTag }),
      liquid: await vault.liquidAssets({ blockTag }),
      reserved: await vault.reservedAssets({ blockTag }),
      usdcHeld: await IERC20Metadata__factory.connect(ussi.usdc, provider).balanceOf(ussi.vault, { blockTag }),
      mag7Held: await IERC20Metadata__factory.connect(ussi.mag7, provider).balanceOf(ussi.vault, { blockTag }),
      instantCapacity: await vault.instantCapacity({ blockTag }),
    },
    redemptions: { owed, funded },
    currentEpoch,
    requestCount: Number(await vault.requestCount({ blockTag })),
    epochs,
    fulfilments,
    reports,
    deltaEvents,
  };
}

/**
 * The plain data the transparency page is built from (issue 12). The chain layer
 * (`tasks/lib/report-chain.ts`) fills the chain parts, `src/report/data.ts` the data-file parts; the
 * page (`src/report/page.ts`) turns them into HTML. On-chain quantities stay bigint with their units.
 */

/** Where a number came from: a chain at a block, or a data file as of a date. `sample` marks SAMPLE data. */
export type Source =
  | { kind: "chain"; network: string; chainId: number; block: number; blockTime: number; sample: boolean }
  | { kind: "data"; file: string; asOf: string; sample: boolean };

export interface Holding {
  symbol: string;
  token: string;
  decimals: number;
  /** {tok base units} per 1e18 index shares (the basket's unit). */
  unitsPerToken: bigint;
  /** {tok base units} held by the vault. */
  balance: bigint;
  /** {1e18 USD} per whole token, from the PriceRegistry. */
  price: bigint;
  /** {1e18 USD} = floor(balance * price / 10^decimals): the vault's own NAV term. */
  value: bigint;
  /** {WAD} the latest accepted target, undefined when the token is held outside the targets. */
  target: bigint | undefined;
}

export interface TargetsRound {
  round: number;
  block: number;
  time: number; // unix s
  weights: { symbol: string; weight: bigint }[]; // {WAD}
}

export interface TradeRow {
  block: number;
  time: number;
  symbolIn: string;
  symbolOut: string;
  decimalsIn: number;
  decimalsOut: number;
  amountIn: bigint; // {tokIn base units}
  amountOut: bigint; // {tokOut base units}
  minAmountOut: bigint; // {tokOut base units}: the on-chain oracle floor
  /** {1e18 USD} amountIn at the feed price of its block, undefined when the node cannot read that block. */
  valueIn: bigint | undefined;
}

export interface RebalanceRound {
  round: number;
  openedBlock: number;
  openedTime: number;
  closedBlock: number | undefined;
  closedTime: number | undefined;
  /** {1e18 USD} NAV at close (RebalanceClosed). */
  navAtClose: bigint | undefined;
  expired: boolean;
  entered: string[];
  left: string[];
  trades: TradeRow[];
}

export interface SsiProductData {
  product: string;
  name: string;
  symbol: string;
  vault: string;
  source: Source;
  totalSupply: bigint; // {1e18 shares}
  effectiveSupply: bigint; // {1e18 shares}, incl. pending fee shares
  nav: bigint; // {1e18 USD}
  navPerShare: bigint; // {1e18 USD per 1e18 shares}
  paused: boolean;
  rebalancing: boolean;
  fee: { rate: bigint; recipient: string; pendingShares: bigint; claimedShares: bigint };
  holdings: Holding[];
  /** Target constituents not held (yet). */
  unheldTargets: { symbol: string; weight: bigint }[];
  targetsHistory: TargetsRound[];
  rebalances: RebalanceRound[];
}

export interface SanxActionRow {
  time: number;
  block: number;
  symbol: string;
  kind: "ADD" | "REMOVE";
  event: "scheduled" | "executed" | "cancelled";
  signalDay: string;
  dueAt: number | undefined;
  detail: string;
}

export interface SanxChainData {
  source: Source;
  vault: string;
  controller: string;
  redButton: { controller: boolean; vault: boolean };
  delayDays: number;
  reserve: string;
  members: string[];
  targets: { round: number; weights: { symbol: string; weight: bigint }[] };
  pending: { symbol: string; kind: "ADD" | "REMOVE"; signalDay: string; dueAt: number; due: boolean }[];
  actions: SanxActionRow[];
  signalsAccepted: { time: number; symbol: string; zone: string; day: string; round: number }[];
  supply: bigint;
  nav: bigint;
  navPerShare: bigint;
  holdings: Holding[];
}

export interface UssiReportRow {
  round: number;
  block: number;
  /** The report's valuation time {unix s}. */
  timestamp: number;
  nav: bigint; // {1e18 USD}
  navPerToken: bigint; // {1e18 USD per 1e18 USSI}
  spotValue: bigint;
  perpPnl: bigint;
  fundingAccrued: bigint;
  netDeltaBps: bigint;
}

export interface UssiChainData {
  source: Source;
  vault: string;
  totalSupply: bigint;
  usdcDecimals: number;
  paused: boolean;
  navFresh: boolean;
  deltaBreachRound: number;
  buffer: { target: bigint; liquid: bigint; reserved: bigint; usdcHeld: bigint; mag7Held: bigint }; // {USDC base units}, mag7 {1e18}
  queue: { head: number; length: number; pending: { id: number; shares: bigint }[] };
  reports: UssiReportRow[];
  deltaEvents: { block: number; time: number; round: number; kind: "breached" | "cleared"; detail: string }[];
  flows: { minted: number; redeemed: number; requested: number; fulfilled: number; claimed: number };
}

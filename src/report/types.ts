/**
 * The plain data the transparency page is built from (issue 12). The chain layer
 * (`chain/report.ts`) fills the chain parts, `src/report/data.ts` the data-file parts; the
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

export interface SanxSignalRow {
  block: number;
  time: number; // unix s, when it was relayed
  symbol: string;
  zone: "OPPORTUNITY" | "DANGER";
  /** The signal's UTC day (YYYY-MM-DD): with the asset, the key the oracle accepts once. */
  day: string;
  mvrv: bigint; // {1e18 = ratio 1}
  threshold: bigint; // {1e18 = ratio 1}: L_t for OPPORTUNITY, U_t for DANGER
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
  /** SignalAccepted events: one per (asset, day), the oracle's replay key. */
  signalsAccepted: SanxSignalRow[];
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
  /** The epoch this report settled at its navPerToken (EpochSettled), undefined if the event was not found. */
  settledEpoch: number | undefined;
}

/** One NAV epoch: the requests made in it settle together at the navPerToken of the report that ends it. */
export interface UssiEpochRow {
  epoch: number;
  /** Requested events of the epoch, counted by kind. */
  requests: { depositUsdc: number; depositIndex: number; redeem: number };
  /** The epoch's totals (epochInfo at the source block): {USDC base units}, {1e18 MAG7.ssi}, {1e18 USSI}. */
  depositUsdc: bigint;
  depositIndex: bigint;
  redeemShares: bigint;
  /** The EpochSettled event, undefined while the epoch is open. */
  settled:
    | {
        round: number;
        block: number;
        time: number;
        navPerToken: bigint; // {1e18 USD per 1e18 USSI}: the epoch's one price
        indexNetPerShare: bigint; // {1e18 USD * bps per 1e18 MAG7.ssi}; 0: MAG7.ssi not valued, returned in kind
        sharesMinted: bigint; // {1e18 USSI}
        sharesBurned: bigint; // {1e18 USSI}
        assetsOwed: bigint; // {USDC base units}
      }
    | undefined;
  /** {USDC base units} cumulative owed up to this epoch (epochInfo.owedEnd): its redemptions are funded once funded >= owedEnd. */
  owedEnd: bigint;
  /** Claimed events of the epoch: how many, and what they paid by kind. */
  claimed: { count: number; ussi: bigint; usdc: bigint; mag7Returned: bigint };
  /** Redeemed events (instant redemptions) in the epoch. */
  instant: { count: number; shares: bigint; assets: bigint };
}

export interface UssiChainData {
  source: Source;
  vault: string;
  totalSupply: bigint;
  usdcDecimals: number;
  paused: boolean;
  navFresh: boolean;
  deltaBreachRound: number;
  /** The risk limits that shape the page's numbers (limits() at the source block). */
  limits: { maxNavAge: number; maxNavChangeBps: number; maxNetDeltaBps: number; bufferTargetBps: number; indexHaircutBps: number; instantCapBps: number; minRequestUsd: bigint };
  /** {USDC base units}, mag7Held {1e18 MAG7.ssi}; instantCapacity: what instant redemptions may still pay in the open epoch. */
  buffer: { target: bigint; liquid: bigint; reserved: bigint; usdcHeld: bigint; mag7Held: bigint; instantCapacity: bigint };
  /** redemptionFunding(): cumulative {USDC base units} owed to settled redemptions and funded. */
  redemptions: { owed: bigint; funded: bigint };
  currentEpoch: number;
  requestCount: number;
  /**
   * The epochs with a request or an instant redemption, and the open one, ascending. Every accepted
   * report settles one epoch (`UssiReportRow.settledEpoch`); those with no request are left out.
   */
  epochs: UssiEpochRow[];
  /** Fulfilled events: settled redemptions funded from the buffer and by the caller ({USDC base units}). */
  fulfilments: { block: number; time: number; caller: string; fromBuffer: bigint; assetsIn: bigint; funded: bigint; owed: bigint }[];
  reports: UssiReportRow[];
  deltaEvents: { block: number; time: number; round: number; kind: "breached" | "cleared"; detail: string }[];
}

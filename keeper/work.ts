/**
 * The keeper's unit of work and the shape every product module fills in. The runtime (`keeper/run.ts`)
 * asks each product what is due, then drives each piece of work one transaction at a time, re-reading
 * the chain before every step. Correctness never depends on local state: a piece of work that the chain
 * already shows done (by this keeper, an earlier run, a crashed run or another keeper) yields no step.
 */

/** The products a keeper keeps current. */
export const PRODUCTS = ["MAG7", "MEME", "DEFI", "SANX", "USSI"] as const;
export type Product = (typeof PRODUCTS)[number];

/** What a piece of work does (one metric label each). */
export type WorkKind =
  | "weights" // a month's weight report (SSI) or a SANX weight report
  | "signals" // a day's SANX MVRV signals
  | "sanx-action" // a due SANX add/remove
  | "nav" // a USSI NAV report
  | "settle" // USSI requests settled at the new NAV
  | "fees" // fee accrual
  | "rebalance" // open a window, trade, close
  | "close-window"; // close or expire a window that is over

/** One transaction the keeper may send, already encoded. */
export interface TxStep {
  /** In words, for logs: "MAG7 weights 2026-12: relay round 5". */
  readonly label: string;
  readonly to: string;
  readonly data: string;
  readonly value?: bigint;
  /** Optional fixed gas limit; otherwise the sender estimates (and so simulates) first. */
  readonly gasLimit?: bigint;
}

/** A piece of due work, identified by the on-chain state it changes. */
export interface Work {
  readonly product: Product;
  readonly kind: WorkKind;
  /**
   * Stable identity: the same work has the same key in every run and every instance, e.g.
   * "MAG7/weights/2026-12", "SANX/signals/2026-03-14", "USSI/nav/epoch-41". Used for logs, metrics,
   * the once-only finding of a revert, and the duplicate count of the tests and the benchmark.
   */
  readonly key: string;
  /** {unix s} when it became due (lag metric = chain time - dueAt). */
  readonly dueAt: bigint;
  /**
   * Reads the chain and returns the next transaction this work still needs, or undefined when the chain
   * shows it complete. Called again after each confirmed step, so multi-step work (a rebalance: open,
   * trade batches, close) advances from chain state alone.
   */
  nextStep(): Promise<TxStep | undefined>;
  /**
   * For work that may pause between ticks with steps still to come (a rebalance waiting on the per-pair
   * cool-off): whether the chain shows it complete. Absent = complete whenever `nextStep` has nothing.
   * A pass that sent steps but leaves the work incomplete is reported as "progressed", not "done".
   */
  isComplete?(): Promise<boolean>;
}

/** One product's view of what is due. */
export interface ProductKeeper {
  readonly product: Product;
  /** The work due at chain time `now` {unix s}; reads only what it needs (an idle tick is a handful of reads). */
  due(now: bigint): Promise<Work[]>;
  /** {unix s} the next time something becomes due after `now`, if known (for the summary and sleeping). */
  nextDue(now: bigint): Promise<bigint | undefined>;
}

/**
 * Rebalance work for any vault with a Rebalancer (MAG7, MEME, DEFI, SANX): the `ssi:rebalance` run cut
 * into single transactions, each planned again from chain state (`planRebalance`: the same planner,
 * oracle floors, pool quotes, per-pair cool-off, chunk cap and blockers as the task). Also the work that
 * needs no plan: closing a window whose weights are within tolerance and expiring one past `maxWindow`
 * (through `performUpkeep`, which the contract re-checks, so Automation and any number of keepers agree
 * on what is due).
 */
import { AbiCoder } from "ethers";
import { IndexVault__factory, Rebalancer__factory, type Rebalancer } from "../../typechain-types";
import { nothingToTrade, planRebalance, indexEntry, type PlannedTrade, type RebalanceIndex } from "../../chain/rebalance";
import type { DeploymentRecord } from "../../chain/deployment";
import type { Client } from "../../chain/client";
import type { Logger } from "../log-types";
import type { Product, TxStep, Work } from "../work";
import { chainNow, errorText, readOnly } from "./common";

const WAD = 10n ** 18n;

/** IRebalancer.UpkeepAction. */
export const UPKEEP = { None: 0n, Close: 1n, Expire: 2n, Open: 3n, AccrueFees: 4n } as const;

/** The few reads that decide whether a vault's rebalance, window or fee work is due. */
export interface RebalanceView {
  round: bigint;
  completedRound: bigint;
  openRound: bigint;
  lastOpenedRound: bigint;
  /** IRebalancer.UpkeepAction of checkUpkeep now while a window is open (None when none is). */
  upkeep: bigint;
  paused: boolean;
  supply: bigint;
}

export async function readRebalanceView(client: Client, record: DeploymentRecord, product: RebalanceIndex): Promise<RebalanceView> {
  const entry = indexEntry(record, product);
  const rebalancer = Rebalancer__factory.connect(entry.rebalancer, client.provider);
  const vault = IndexVault__factory.connect(entry.vault, client.provider);
  const [[round], [completedRound, openRound, , lastOpenedRound], paused, supply] = await Promise.all([vault.targets(), rebalancer.window(), vault.paused(), vault.totalSupply()]);
  // What automation would do matters only to an open window (close or expire it): one more read then.
  let upkeep: bigint = UPKEEP.None;
  if (openRound !== 0n) {
    const [, data] = await rebalancer.checkUpkeep("0x");
    [upkeep] = AbiCoder.defaultAbiCoder().decode(["uint8"], data) as unknown as [bigint];
  }
  return { round, completedRound, openRound, lastOpenedRound, upkeep, paused, supply };
}

export interface RebalanceOptions {
  /** {1e18 USD} the planner's chunk cap (at most the Rebalancer's; `ssi:rebalance --max-trade-usd`). */
  maxTradeUsd?: bigint;
  /** Where a round found to need no trade is remembered (see `NoTradeMemo`). */
  memo?: NoTradeMemo;
}

/**
 * The rounds this process found to need no trade (no window open, every weight within tolerance, the
 * basket exactly the targets: `ssi:rebalance` sends nothing for them). Their Rebalancer's completed round
 * stays behind, so without this each tick would plan them again (a few hundred reads); with it, a round
 * is planned once per process. Memory only: a restart or a second keeper plans it once and sends nothing,
 * so correctness never depends on it. Drift after that is not a new round: the methodology rebalances
 * on new targets (monthly, or a SANX membership change).
 */
export class NoTradeMemo {
  private readonly rounds = new Map<string, bigint>();
  has(product: string, round: bigint): boolean {
    return this.rounds.get(product) === round;
  }
  set(product: string, round: bigint): void {
    this.rounds.set(product, round);
  }
}

/**
 * The rebalance of `product`'s targets round `round`. Done when the Rebalancer's completed round reaches
 * it, or (as `ssi:rebalance` decides) when no window is open and nothing needs trading: every weight within
 * tolerance and the basket holding exactly the targets, so nothing is sent. Each step: expire a window
 * past maxWindow; else open (when the plan has trades); else the first batch the cool-off allows; else
 * close once the contract's tolerance check passes. A blocker (pool off the oracle, paused vault, empty
 * vault) stops the work with a finding and sends nothing; trades waiting on the cool-off leave it due.
 */
export function rebalanceWork(client: Client, record: DeploymentRecord, product: RebalanceIndex & Product, round: bigint, dueAt: bigint, opts: RebalanceOptions, log: Logger): Work {
  const entry = indexEntry(record, product);
  const iface = Rebalancer__factory.createInterface();
  const step = (label: string, data: string): TxStep => ({ label: `${product} rebalance round ${round}: ${label}`, to: entry.rebalancer, data });
  return {
    product,
    kind: "rebalance",
    key: `${product}/rebalance/round-${round}`,
    dueAt,
    async nextStep() {
      const v = await readRebalanceView(client, record, product);
      if (v.round !== round || v.completedRound >= round) return undefined; // done, or superseded by a newer round (its own work)
      if (v.paused) {
        log.warn({ product, round: String(round) }, `${product} vault paused: no rebalance step while paused`);
        return undefined;
      }
      if (v.openRound === round && v.upkeep === UPKEEP.Expire) return step("expire the window (past maxWindow; re-opened next step)", iface.encodeFunctionData("performUpkeep", ["0x"]));
      if (v.supply === 0n) return undefined; // an empty vault weighs 0 everywhere: the first mint pays the targets in kind
      const plan = await planRebalance(readOnly(client), record, product, opts.maxTradeUsd === undefined ? {} : { maxTradeUsd: opts.maxTradeUsd });
      if (plan.done) return undefined;
      if (nothingToTrade(plan)) {
        opts.memo?.set(product, round);
        log.info({ product, round: String(round) }, `${product} round ${round}: nothing to trade (every weight within tolerance, the basket is the targets): nothing sent`);
        return undefined;
      }
      if (plan.blockers.length > 0) {
        log.error({ product, round: String(round), blockers: plan.blockers }, `${product} rebalance round ${round} blocked: ${plan.blockers.join("; ")}`);
        return undefined;
      }
      const rebalancer: Rebalancer = Rebalancer__factory.connect(entry.rebalancer, client.provider);
      // The round's sell budgets (fixed at its first open, per share) bound every sale: a re-plan after
      // trades and fees may ask a little more than is left, which the contract refuses (SellAboveBudget).
      const opened = v.lastOpenedRound === round;
      const batch = opened ? await clampToBudgets(rebalancer, (plan.schedule.batches[0] ?? []) as PlannedTrade[]) : ((plan.schedule.batches[0] ?? []) as PlannedTrade[]);
      if (v.openRound !== round) {
        if (v.openRound !== 0n) {
          // An older round's window is still open: close it when within tolerance, else wait for its expiry.
          return v.upkeep === UPKEEP.Close ? step(`close the open window of round ${v.openRound}`, iface.encodeFunctionData("performUpkeep", ["0x"])) : undefined;
        }
        if (opened && batch.length === 0 && plan.schedule.waiting.length === 0) {
          log.error({ product, round: String(round) }, `${product} round ${round} cannot be completed within the sell budgets fixed at its first open (prices or mints moved since): it needs a new weight report; not re-opening`);
          return undefined;
        }
        return step(opened ? "re-open the window (same round, same sides and budgets)" : "open the window", iface.encodeFunctionData("openRebalance"));
      }
      if (batch.length > 0) {
        const trades = batch.map((t) => ({ adapter: plan.state.adapter, tokenIn: t.tokenIn, tokenOut: t.tokenOut, amountIn: t.amountIn, minAmountOut: t.minAmountOut, routeData: t.routeData }));
        const usd = batch.reduce((a, t) => a + t.usdValue, 0n) / WAD;
        return step(`trade batch of ${batch.length} (${batch.map((t) => `${t.symbolIn}->${t.symbolOut}`).join(", ")}, about $${usd})`, iface.encodeFunctionData("executeTrades", [trades]));
      }
      if (plan.schedule.waiting.length > 0) return undefined; // the cool-off: due again after it
      try {
        const [ok, token, weight, target] = await rebalancer.toleranceCheck();
        if (!ok) {
          log.error({ product, round: String(round), token, weight: String(weight), target: String(target) }, `${product} rebalance round ${round}: nothing left to trade within the budgets but ${token} is out of tolerance; the window stays open until it expires (maxWindow)`);
          return undefined;
        }
      } catch (e) {
        log.warn({ product, err: errorText(e) }, `${product} toleranceCheck reverted (stale price?): not closing now`);
        return undefined;
      }
      return step("close the window (every weight within tolerance)", iface.encodeFunctionData("closeRebalance"));
    },
    async isComplete() {
      const v = await readRebalanceView(client, record, product);
      return v.round !== round || v.completedRound >= round || opts.memo?.has(product, round) === true;
    },
  };
}

/**
 * The trades of one batch cut to what is left of each seller's budget ({tok}, `sellBudget`), the
 * keeper's minimum output scaled down with the amount (rounded down; the oracle floor applies on chain
 * whatever it is); a trade left with nothing to sell is dropped.
 */
async function clampToBudgets(rebalancer: Rebalancer, batch: readonly PlannedTrade[]): Promise<PlannedTrade[]> {
  const sellers = [...new Set(batch.map((t) => t.tokenIn))];
  // Less one part per million (rounded down): the budget is per share and read one block before the
  // trade runs, where the contract's own rounding may leave a few wei less.
  const left = new Map(await Promise.all(sellers.map(async (t) => [t, ((await rebalancer.sellBudget(t)) * 999_999n) / 1_000_000n] as const)));
  const out: PlannedTrade[] = [];
  for (const t of batch) {
    const budget = left.get(t.tokenIn)!;
    const amountIn = t.amountIn < budget ? t.amountIn : budget;
    if (amountIn === 0n) continue;
    left.set(t.tokenIn, budget - amountIn);
    out.push(amountIn === t.amountIn ? t : { ...t, amountIn, minAmountOut: (t.minAmountOut * amountIn) / t.amountIn, usdValue: (t.usdValue * amountIn) / t.amountIn });
  }
  return out;
}

/**
 * A window that is over: open and past maxWindow (Expire) or within tolerance with nothing else to do
 * (Close), for a round whose rebalance work is not listed (e.g. superseded). Through `performUpkeep`.
 */
export function closeWindowWork(client: Client, record: DeploymentRecord, product: RebalanceIndex & Product, openRound: bigint, now: bigint): Work {
  const entry = indexEntry(record, product);
  const iface = Rebalancer__factory.createInterface();
  return {
    product,
    kind: "close-window",
    key: `${product}/close-window/round-${openRound}`,
    dueAt: now,
    async nextStep() {
      const v = await readRebalanceView(client, record, product);
      if (v.openRound !== openRound || (v.upkeep !== UPKEEP.Close && v.upkeep !== UPKEEP.Expire)) return undefined;
      return { label: `${product} ${v.upkeep === UPKEEP.Close ? "close" : "expire"} the window of round ${openRound}`, to: entry.rebalancer, data: iface.encodeFunctionData("performUpkeep", ["0x"]) };
    },
  };
}

/** The rebalance and window work of one vault from its view (no further read). */
export function rebalanceWorks(
  client: Client,
  record: DeploymentRecord,
  product: RebalanceIndex & Product,
  v: RebalanceView,
  now: bigint,
  opts: { rebalance: boolean; maxTradeUsd?: bigint; memo: NoTradeMemo },
  log: Logger,
): Work[] {
  const out: Work[] = [];
  const settled = v.openRound !== v.round && opts.memo.has(product, v.round);
  if (opts.rebalance && !v.paused && v.round > v.completedRound && v.supply > 0n && !settled) {
    out.push(rebalanceWork(client, record, product, v.round, now, { memo: opts.memo, ...(opts.maxTradeUsd === undefined ? {} : { maxTradeUsd: opts.maxTradeUsd }) }, log));
  } else if (v.openRound !== 0n && (v.upkeep === UPKEEP.Close || v.upkeep === UPKEEP.Expire)) {
    out.push(closeWindowWork(client, record, product, v.openRound, now));
  }
  return out;
}

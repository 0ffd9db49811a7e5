/**
 * The pure decisions of the keeper's rebalance (`ssi:rebalance`, chain/rebalance.ts): which
 * planned trades may go now under the per-pair cool-off, the dust threshold, and the check of a
 * basket's value weights against the targets. bigint only; no hardhat/ethers import.
 *
 * Units: {tok} token base units, {USD} 1e18 = $1, {WAD} 1e18 = 100%, {bps} 1e4 = 100%, {s} seconds.
 */
import { InputError } from "../lib/errors";
import { addressKey, valueUsdDown, WAD, type Trade } from "../planner";

const BPS = 10_000n;

/** The unordered pair key the Rebalancer's cool-off uses (lower-case addresses, sorted). */
export function pairOf(tokenA: string, tokenB: string): string {
  const [a, b] = [addressKey(tokenA), addressKey(tokenB)];
  return a < b ? `${a}/${b}` : `${b}/${a}`;
}

export interface Waiting {
  readonly trade: Trade;
  /** {unix s} the earliest time the pair may trade again (an estimate for pairs traded in this run). */
  readonly until: bigint;
  readonly reason: "cooldown" | "after-earlier-chunk";
}

export interface Schedule {
  /** Batches to send now, in order; no unordered pair appears twice in the whole run when cooldown > 0. */
  readonly batches: readonly (readonly Trade[])[];
  /** Trades that must wait for the pair's cool-off; the keeper re-runs after `until`. */
  readonly waiting: readonly Waiting[];
}

/**
 * Splits planned trades into what may be sent now and what waits on the per-pair cool-off.
 * A pair whose last trade was less than `cooldown` ago waits until lastTradeAt + cooldown. With a
 * positive cooldown each pair trades at most once now (its later chunks wait until now + cooldown,
 * the earliest the contract allows after this run); with cooldown 0 everything goes now.
 * The trades sent now are cut into batches of at most `maxBatch` (one transaction each; the vault
 * rewrites units once per batch).
 * @param lastTradeAt {unix s} per `pairOf` key; absent or 0 = never traded
 */
export function scheduleTrades(
  trades: readonly Trade[],
  opts: { now: bigint; cooldown: bigint; lastTradeAt: ReadonlyMap<string, bigint>; maxBatch: number },
): Schedule {
  if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new InputError(`maxBatch is ${opts.maxBatch}; expected an integer >= 1`);
  if (opts.cooldown < 0n) throw new InputError(`cooldown is ${opts.cooldown}; expected >= 0`);
  const now: Trade[] = [];
  const waiting: Waiting[] = [];
  const usedNow = new Set<string>();
  for (const t of trades) {
    const pair = pairOf(t.tokenIn, t.tokenOut);
    const last = opts.lastTradeAt.get(pair) ?? 0n;
    if (last !== 0n && opts.now < last + opts.cooldown) {
      waiting.push({ trade: t, until: last + opts.cooldown, reason: "cooldown" });
    } else if (opts.cooldown > 0n && usedNow.has(pair)) {
      waiting.push({ trade: t, until: opts.now + opts.cooldown, reason: "after-earlier-chunk" });
    } else {
      usedNow.add(pair);
      now.push(t);
    }
  }
  const batches: Trade[][] = [];
  for (let i = 0; i < now.length; i += opts.maxBatch) batches.push(now.slice(i, i + opts.maxBatch));
  return { batches, waiting };
}

/**
 * {USD} the dust threshold the keeper plans with: floor(nav * toleranceBps / (1e4 * 4 * tokens)),
 * rounded DOWN, and never above half the trade cap (the planner's rule). Every token left untraded is
 * off by less than this, so even if all their remainders land on one token (the buyers' shares are
 * scaled to what is sold), that token moves by less than a quarter of the close tolerance.
 * @param tokens the number of tokens held or targeted (>= 1)
 */
export function keeperDustUsd(navUsd: bigint, toleranceBps: number, maxTradeUsd: bigint, tokens: number): bigint {
  if (!Number.isInteger(tokens) || tokens < 1) throw new InputError(`tokens is ${tokens}; expected an integer >= 1`);
  const dust = (navUsd * BigInt(toleranceBps)) / (BPS * 4n * BigInt(tokens)); // rounded DOWN
  const half = maxTradeUsd / 2n; // rounded DOWN
  return dust < half ? dust : half;
}

export interface Position {
  readonly address: string;
  readonly symbol: string;
  readonly decimals: number;
  /** {tok} */
  readonly balance: bigint;
  /** {USD per whole token} */
  readonly price: bigint;
}

export interface WeightCheck {
  readonly address: string;
  readonly symbol: string;
  /** {USD} floor(balance * price / 10^dec) */
  readonly valueUsd: bigint;
  /** {WAD} floor(value * 1e18 / nav); 0 for an empty basket */
  readonly weight: bigint;
  /** {WAD} 0 for a token outside the targets */
  readonly target: bigint;
  /** {WAD} |weight - target| */
  readonly diff: bigint;
  readonly ok: boolean;
}

/**
 * Every position's value weight against its target, the same rule as Rebalancer.toleranceCheck:
 * a token is within tolerance when |weight - target| <= toleranceBps * 1e14 {WAD}; a token outside
 * the targets has target 0. Targets not among `positions` count as held at 0.
 */
export function checkWeights(
  positions: readonly Position[],
  targets: ReadonlyMap<string, bigint>,
  toleranceBps: number,
): { navUsd: bigint; rows: WeightCheck[]; ok: boolean } {
  const tolerance = BigInt(toleranceBps) * (WAD / BPS); // {WAD}
  const byKey = new Map(positions.map((p) => [addressKey(p.address), p]));
  for (const t of targets.keys()) {
    if (!byKey.has(addressKey(t))) throw new InputError(`target token ${t} has no position (list it with balance 0n)`);
  }
  const values = positions.map((p) => valueUsdDown(p.balance, p.price, p.decimals));
  const navUsd = values.reduce((a, b) => a + b, 0n);
  const targetOf = new Map([...targets].map(([k, v]) => [addressKey(k), v]));
  const rows = positions.map((p, i) => {
    const weight = navUsd === 0n ? 0n : (values[i]! * WAD) / navUsd; // rounded DOWN
    const target = targetOf.get(addressKey(p.address)) ?? 0n;
    const diff = weight > target ? weight - target : target - weight;
    return { address: p.address, symbol: p.symbol, valueUsd: values[i]!, weight, target, diff, ok: diff <= tolerance };
  });
  return { navUsd, rows, ok: rows.every((r) => r.ok) };
}

/** {USD} the most NAV a set of trades may lose at the slippage bound: floor(sum usdValue * bps / 1e4). */
export function slippageBoundUsd(trades: readonly Pick<Trade, "usdValue">[], maxSlippageBps: number): bigint {
  const traded = trades.reduce((a, t) => a + t.usdValue, 0n);
  return (traded * BigInt(maxSlippageBps)) / BPS; // rounded DOWN
}

import { WAD, checkCap } from "./products";
import { MethodologyError } from "../lib/errors";

/** Weight parameters (a subset of `IndexDefinition`). */
export interface WeightParams {
  readonly name: string;
  /** f {WAD} */
  readonly floorWad: bigint;
  /** c {WAD}, off when undefined */
  readonly capWad?: bigint;
}

/**
 * Integer weights (section 3), exact.
 *
 * With m_i the market caps in whole USD (rank order), M = sum m_i, f the floor and R = 1e18 - N*f:
 * - w_i = f + floor(R * m_i / M)                                    (rounded down)
 * - with a cap c: any w_i above c is set to c and the excess is shared pro rata by market cap
 *   among the uncapped, repeated until no uncapped weight exceeds c (before the residual step);
 *   the test w_i > c is exact (cross-multiplied), the shares are rounded down.
 * - the residual 1e18 - sum w_i (0 <= residual < N wei) goes to the rank-1 constituent, so the
 *   weights sum to exactly 1e18. (When rank 1 is capped it may therefore exceed c by < N wei.)
 * @param marketCapsUsd m_i in whole USD, rank order (index 0 = rank 1), each > 0
 * @param params floor, optional cap, and the index name (for errors)
 * @returns w_i in WAD, same order, summing to exactly 1e18
 * @throws MethodologyError on an empty list, a non-positive cap, N*f > 1e18, or an infeasible cap (N*c < 1e18)
 */
export function computeWeights(marketCapsUsd: readonly bigint[], params: WeightParams): bigint[] {
  const n = marketCapsUsd.length;
  if (n === 0) throw new MethodologyError(`${params.name}: no constituents to weight`);
  marketCapsUsd.forEach((m, i) => {
    if (m <= 0n) throw new MethodologyError(`${params.name}: market cap of constituent ${i + 1} is ${m}, must be > 0`);
  });
  const f = params.floorWad;
  const r = WAD - BigInt(n) * f; // {WAD} shared pro rata
  if (f < 0n || r < 0n) throw new MethodologyError(`${params.name}: floor ${f} x N = ${n} exceeds 1e18`);

  const variable = new Array<bigint>(n).fill(0n); // {WAD} above the floor
  if (params.capWad === undefined) {
    const total = marketCapsUsd.reduce((s, m) => s + m, 0n);
    marketCapsUsd.forEach((m, i) => (variable[i] = (r * m) / total)); // rounded down
  } else {
    checkCap(params.name, n, f, params.capWad);
    const room = params.capWad - f; // {WAD} the most a constituent may get above the floor
    const capped = new Array<boolean>(n).fill(false);
    for (;;) {
      let budget = r; // {WAD} left for the uncapped
      let total = 0n; // {USD} market cap of the uncapped
      for (let i = 0; i < n; i++) {
        if (capped[i]) budget -= room;
        else total += marketCapsUsd[i]!;
      }
      let newlyCapped = false;
      for (let i = 0; i < n; i++) {
        // exact test: budget * m_i / total > room
        if (!capped[i] && budget * marketCapsUsd[i]! > room * total) {
          capped[i] = true;
          newlyCapped = true;
        }
      }
      if (!newlyCapped) {
        for (let i = 0; i < n; i++) variable[i] = capped[i] ? room : (budget * marketCapsUsd[i]!) / total; // rounded down
        break;
      }
      // N*c >= 1e18 guarantees some constituent stays uncapped (see the test "never caps all"),
      // so total > 0 on the next pass and the loop ends within N passes.
    }
  }
  const weights = variable.map((v) => f + v);
  const residual = WAD - weights.reduce((s, w) => s + w, 0n);
  weights[0] = weights[0]! + residual;
  return weights;
}

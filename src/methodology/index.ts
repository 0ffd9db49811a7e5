/**
 * The index methodology (METHODOLOGY.md sections 1-3) as pure functions over plain data.
 * Entry point for tasks, the demo, the rebalance keeper and USSI: `computeIndex`.
 */
import type { IndexComposition, Universe } from "./types";
import type { IndexDefinition } from "./products";
import { validateDefinition } from "./products";
import { rankAssets } from "./ranking";
import { selectConstituents } from "./selection";
import { computeWeights } from "./weights";

export * from "./types";
export * from "./products";
export * from "./ranking";
export * from "./selection";
export * from "./weights";
export * from "./units";
export * from "./schedule";

/**
 * Ranks, selects (with the buffer) and weights one index for one universe snapshot.
 * @param def the product (e.g. `MAG7`, or `defineIndex(MAG7, {...})`)
 * @param universe the snapshot (its `date` is copied to the result)
 * @param incumbents current constituents' symbols; empty or omitted = first construction (top N)
 * @returns constituents in rank order with whole-USD market caps and WAD weights summing to 1e18
 * @throws MethodologyError when fewer than N assets are eligible or the definition is inconsistent
 */
export function computeIndex(def: IndexDefinition, universe: Universe, incumbents: readonly string[] = []): IndexComposition {
  validateDefinition(def);
  const ranked = rankAssets(universe.assets, def.eligibility);
  const selected = selectConstituents(ranked, def, incumbents);
  const weightParams = def.capWad === undefined ? { name: def.name, floorWad: def.floorWad } : def;
  const weights = computeWeights(
    selected.map((a) => a.marketCapUsd),
    weightParams,
  );
  return {
    index: def.name,
    date: universe.date,
    constituents: selected.map((a, i) => ({ symbol: a.symbol, rank: a.rank, marketCapUsd: a.marketCapUsd, weight: weights[i]! })),
  };
}
export * from "./format";

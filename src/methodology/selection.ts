import type { RankedAsset } from "./types";
import { MethodologyError } from "../lib/errors";

/** The selection parameters of an index (a subset of `IndexDefinition`). */
export interface SelectionParams {
  readonly name: string;
  /** N */
  readonly constituents: number;
  /** B */
  readonly buffer: number;
}

/**
 * Selection with a buffer (section 2.2-2.5).
 *
 * - No incumbents (first construction): the top N.
 * - Otherwise: keep every incumbent still eligible and ranked <= N + B; add every non-incumbent
 *   ranked <= N - B; while more than N, drop the worst-ranked member; while fewer than N, add the
 *   best-ranked eligible non-member.
 *
 * Incumbents absent from `ranked` (no longer eligible, or no market cap) are simply not kept.
 * Symbols are matched exactly (case-sensitive), as the universe spells them.
 * @param ranked eligible assets in rank order, as `rankAssets` returns them
 * @param params N, B and the index name (for errors)
 * @param incumbents symbols of the current constituents (empty or omitted: first construction)
 * @returns the N constituents in rank order
 * @throws MethodologyError when fewer than N assets are eligible
 */
export function selectConstituents(
  ranked: readonly RankedAsset[],
  params: SelectionParams,
  incumbents: readonly string[] = [],
): RankedAsset[] {
  const n = params.constituents;
  if (ranked.length < n) {
    throw new MethodologyError(
      `${params.name}: only ${ranked.length} eligible asset(s) with a market cap, the index needs ${n}; ` +
        "fewer than N eligible assets is an error, never a smaller index",
    );
  }
  const isIncumbent = new Set(incumbents);
  const members = new Set<RankedAsset>();
  for (const a of ranked) {
    if (isIncumbent.has(a.symbol) ? a.rank <= n + params.buffer : a.rank <= n - params.buffer) members.add(a);
  }
  while (members.size > n) {
    const worst = [...members].reduce((w, a) => (a.rank > w.rank ? a : w));
    members.delete(worst);
  }
  for (const a of ranked) {
    if (members.size >= n) break;
    members.add(a); // a Set ignores members already in; the scan is in rank order, so best first
  }
  return [...members].sort((a, b) => a.rank - b.rank);
}

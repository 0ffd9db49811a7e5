/**
 * Display helpers of the USSI tasks and demo section. No chain or TypeChain import, so the tasks
 * can use them while Hardhat loads its config.
 */
export { formatUnitsExact } from "./format";

/** A 1e18-scaled USD value rounded toward zero to cents, with its sign (perp PnL and funding can be negative). */
export function formatUsd(wad: bigint): string {
  const neg = wad < 0n;
  const cents = (neg ? -wad : wad) / 10n ** 16n; // toward zero
  return `${neg ? "-" : ""}$${(cents / 100n).toLocaleString("en-US")}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** navPerToken {1e18 USD per 1e18 USSI} to 6 decimals, rounded down. */
export function formatNavPerToken(wad: bigint): string {
  const micro = wad / 10n ** 12n;
  return `$${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, "0")}`;
}

/** Every bigint as a decimal string (for --json). */
export function jsonify(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonify);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonify(v)]));
  return value;
}

/** Display helpers for the tasks and the demo (exact bigint formatting, no rounding up). No chain or
 * TypeChain import, so tasks can use them while Hardhat loads its config. */

/** A base-unit amount as an exact decimal string (no rounding, trailing zeros trimmed). */
export function formatUnitsExact(amount: bigint, decimals: number): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${abs / scale}${frac ? "." + frac : ""}`;
}

/**
 * A token amount for people: exact (no rounding), thousands separators, and the token's symbol:
 * `formatTokenAmount(27863996077n, 6, "USDC")` is "27,863.996077 USDC". Use it wherever a message
 * shows an amount (balances, shortfalls, minimums); base units only beside it, for scripts.
 */
export function formatTokenAmount(amount: bigint, decimals: number, symbol?: string): string {
  const exact = formatUnitsExact(amount, decimals);
  const [int, frac] = exact.replace("-", "").split(".") as [string, string | undefined];
  const grouped = BigInt(int).toLocaleString("en-US");
  return `${amount < 0n ? "-" : ""}${grouped}${frac ? "." + frac : ""}${symbol ? " " + symbol : ""}`;
}

/** A 1e18-scaled USD value rounded toward zero to cents, with its sign and thousands separators. */
export function formatUsd(wad: bigint): string {
  const neg = wad < 0n;
  const cents = (neg ? -wad : wad) / 10n ** 16n; // toward zero
  return `${neg ? "-" : ""}$${(cents / 100n).toLocaleString("en-US")}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** A price per token {1e18 USD} to 6 decimals, rounded down. */
export function formatNavPerToken(wad: bigint): string {
  const micro = wad / 10n ** 12n;
  return `$${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, "0")}`;
}

/** Every bigint as a decimal string (for --json output). */
export function jsonify(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonify);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonify(v)]));
  return value;
}

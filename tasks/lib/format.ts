/** Display helpers for the tasks and the demo (exact bigint formatting, no rounding up). */

/** A base-unit amount as an exact decimal string (no rounding, trailing zeros trimmed). */
export function formatUnitsExact(amount: bigint, decimals: number): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${abs / scale}${frac ? "." + frac : ""}`;
}

/** A 1e18-scaled USD value rounded down to cents, with thousands separators. */
export function formatUsd(wad: bigint): string {
  const cents = wad / 10n ** 16n; // rounded down
  const whole = (cents / 100n).toLocaleString("en-US");
  return `$${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** Number formatting for the report page: exact from bigint where the chain gives bigint. */
const WAD = 10n ** 18n;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** {1e18 USD} as "$1,234.56" (cents rounded down, sign kept). */
export function usd(wad: bigint): string {
  const neg = wad < 0n;
  const a = neg ? -wad : wad;
  const cents = a / 10n ** 16n;
  return `${neg ? "-" : ""}$${(cents / 100n).toLocaleString("en-US")}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** {1e18 USD per token} with 4 decimals (NAV per token). */
export function usd4(wad: bigint): string {
  const neg = wad < 0n;
  const a = neg ? -wad : wad;
  const u = a / 10n ** 14n;
  return `${neg ? "-" : ""}$${(u / 10_000n).toLocaleString("en-US")}.${(u % 10_000n).toString().padStart(4, "0")}`;
}

/** {WAD} fraction as a percentage with `digits` decimals (rounded down in magnitude). */
export function pct(wad: bigint, digits = 2): string {
  const neg = wad < 0n;
  const a = neg ? -wad : wad;
  const scaled = (a * 100n * 10n ** BigInt(digits)) / WAD;
  const s = scaled.toString().padStart(digits + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, s.length - digits)}${digits > 0 ? "." + s.slice(s.length - digits) : ""}%`;
}

/** A token amount {base units} as a decimal with about `sig` significant digits, grouped. */
export function amount(x: bigint, decimals: number, sig = 6): string {
  const neg = x < 0n;
  const a = neg ? -x : x;
  const whole = a / 10n ** BigInt(decimals);
  const frac = (a % 10n ** BigInt(decimals)).toString().padStart(decimals, "0");
  const wholeDigits = whole === 0n ? 0 : whole.toString().length;
  let keep = Math.max(0, sig - wholeDigits);
  if (whole === 0n) {
    const lead = frac.length - frac.replace(/^0+/, "").length;
    keep = Math.min(decimals, lead + sig);
  }
  const f = frac.slice(0, Math.min(keep, decimals)).replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole.toLocaleString("en-US")}${f.length > 0 ? "." + f : ""}`;
}

/** Unix seconds as "YYYY-MM-DD HH:MM UTC". */
export function utc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

export function num(x: number, digits = 2): string {
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

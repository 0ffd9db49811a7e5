import { InputError } from "../lib/errors";
import tokenFile from "./tokens.json";

/** One entry of the project's token list (`src/data/tokens.json`): categories and flags, no market data. */
export interface TokenInfo {
  readonly symbol: string;
  readonly name: string;
  readonly categories: readonly string[];
  readonly stablecoin: boolean;
  readonly wrapped: boolean;
}

/**
 * The token list, validated; flags absent in the file are false.
 * @param json the list to read (default: the project's `tokens.json`)
 * @throws InputError naming `tokens[i].field` when an entry is malformed or a symbol repeats
 */
export function loadTokenList(json: unknown = tokenFile): TokenInfo[] {
  const tokens = (json as { tokens?: unknown }).tokens;
  if (!Array.isArray(tokens)) throw new InputError("token list: tokens must be an array");
  const seen = new Set<string>();
  return tokens.map((t: Record<string, unknown>, i: number) => {
    const at = `token list: tokens[${i}]`;
    if (typeof t.symbol !== "string" || t.symbol === "") throw new InputError(`${at}.symbol must be a non-empty string`);
    if (seen.has(t.symbol.toUpperCase())) throw new InputError(`${at}.symbol "${t.symbol}" is listed twice`);
    seen.add(t.symbol.toUpperCase());
    if (!Array.isArray(t.categories) || !t.categories.every((c) => typeof c === "string")) {
      throw new InputError(`${at}.categories must be an array of strings`);
    }
    for (const f of ["stablecoin", "wrapped"] as const) {
      if (t[f] !== undefined && typeof t[f] !== "boolean") throw new InputError(`${at}.${f} must be true or false`);
    }
    return {
      symbol: t.symbol,
      name: typeof t.name === "string" ? t.name : t.symbol,
      categories: t.categories as string[],
      stablecoin: t.stablecoin === true,
      wrapped: t.wrapped === true,
    };
  });
}

/** The token list keyed by upper-case symbol. */
export function tokensBySymbol(tokens: readonly TokenInfo[] = loadTokenList()): Map<string, TokenInfo> {
  return new Map(tokens.map((t) => [t.symbol.toUpperCase(), t]));
}

/**
 * SSI product tasks. `ssi:weights` is a thin wrapper over the pure methodology in
 * `src/methodology` (sections 1-3 of METHODOLOGY.md).
 */
import { task } from "hardhat/config";
import Table from "cli-table3";
import { fail, parseChoice, readJsonArg, userErrors } from "./lib/args";
import { parseUniverse } from "../src/data/universe";
import { compositionToJson, computeIndex, formatWadPercent, PRODUCTS, type Universe } from "../src/methodology";

/** The products `ssi:weights` accepts. */
export const WEIGHT_INDEXES = ["MAG7", "MEME", "DEFI"] as const;

/**
 * `--incumbents SYM,SYM,...` as the universe spells the symbols (matched case-insensitively).
 * Fails on an empty entry, a repeated symbol, or a symbol absent from the universe file.
 */
export function parseIncumbents(value: string | undefined, universe: Universe): string[] {
  if (value === undefined) return [];
  const known = new Map(universe.assets.map((a) => [a.symbol.toUpperCase(), a.symbol]));
  const out: string[] = [];
  for (const raw of value.split(",")) {
    const sym = raw.trim();
    if (sym === "") fail(`--incumbents "${value}" has an empty entry; give symbols separated by commas, e.g. BTC,ETH`);
    const hit = known.get(sym.toUpperCase());
    if (hit === undefined) fail(`--incumbents: unknown symbol "${sym}": not in the universe file (${universe.date})`);
    if (out.includes(hit)) fail(`--incumbents: "${sym}" is listed twice`);
    out.push(hit);
  }
  return out;
}

task("ssi:weights", "Selects an SSI index's constituents (with the buffer) and computes its integer weights from a universe file")
  .addParam("index", `the product: ${WEIGHT_INDEXES.join(" | ")}`)
  .addParam("universe", 'universe JSON file {"date":"YYYY-MM-DD","assets":[...]} (e.g. sample/universe.json)')
  .addOptionalParam("incumbents", "current constituents, comma-separated (omit for a first construction)")
  .addFlag("json", "print only JSON on stdout")
  .setAction(async (args: { index: string; universe: string; incumbents?: string; json: boolean }) =>
    userErrors(async () => {
      const index = parseChoice(args.index, "index", WEIGHT_INDEXES);
      const universe = parseUniverse(readJsonArg(args.universe, "universe"), args.universe);
      const incumbents = parseIncumbents(args.incumbents, universe);
      const composition = computeIndex(PRODUCTS[index], universe, incumbents);
      if (args.json) {
        console.log(JSON.stringify(compositionToJson(composition), null, 2));
        return;
      }
      const table = new Table({ head: ["rank", "symbol", "market cap (USD)", "weight (WAD)", "weight %", "change"], style: { compact: true } });
      const wasIn = new Set(incumbents);
      for (const c of composition.constituents) {
        const note = incumbents.length === 0 ? "" : wasIn.has(c.symbol) ? "" : "new";
        table.push([c.rank, c.symbol, c.marketCapUsd.toLocaleString("en-US"), c.weight.toString(), formatWadPercent(c.weight), note]);
      }
      const kept = new Set(composition.constituents.map((c) => c.symbol));
      const dropped = incumbents.filter((s) => !kept.has(s));
      console.log(`${composition.index} as of ${composition.date} (${incumbents.length === 0 ? "first construction" : `${incumbents.length} incumbents`})`);
      console.log(table.toString());
      if (dropped.length > 0) console.log(`removed: ${dropped.join(", ")}`);
    }),
  );

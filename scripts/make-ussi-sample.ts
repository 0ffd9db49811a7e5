/**
 * Writes the SYNTHETIC funding-rate sample under sample/funding/ (see sample/USSI-SAMPLE.md).
 * Deterministic: a seeded PRNG (mulberry32), no network, no real data. Same layout as
 * ../shared/data/funding: `binance_<SYM>USDT.csv`, header `time,funding_rate`, rate per interval.
 *
 *   npx ts-node scripts/make-ussi-sample.ts [outDir]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mulberry32 } from "../src/lib/random";

const SEED = 20240101;
const START = Date.parse("2024-01-01T00:00:00Z") / 1000;
const END = Date.parse("2025-01-01T00:00:00Z") / 1000; // exclusive
const H = 3600;

/** Per symbol: mean rate per 8h, noise, share of settlements pinned to the 0.0001 default, first time. */
const PROFILE: Record<string, { mean: number; noise: number; pinned: number; first: string }> = {
  BTC: { mean: 0.00011, noise: 0.00008, pinned: 0.4, first: "2024-01-01T00:00:00Z" },
  ETH: { mean: 0.00012, noise: 0.0001, pinned: 0.4, first: "2024-01-01T00:00:00Z" },
  BNB: { mean: -0.00002, noise: 0.00006, pinned: 0.0, first: "2024-01-01T00:00:00Z" },
  SOL: { mean: 0.00005, noise: 0.00025, pinned: 0.3, first: "2024-02-15T08:00:00Z" }, // starts late
  XRP: { mean: 0.0001, noise: 0.00012, pinned: 0.35, first: "2024-01-01T00:00:00Z" },
  DOGE: { mean: 0.0001, noise: 0.00015, pinned: 0.35, first: "2024-01-01T00:00:00Z" },
  ADA: { mean: 0.00009, noise: 0.00012, pinned: 0.35, first: "2024-01-01T00:00:00Z" },
};

/** SOL moves to 4h, then 2h funding in this window (like Binance in Nov 2022); 8h again after it. */
const SOL_IRREGULAR = {
  from: Date.parse("2024-06-10T00:00:00Z") / 1000,
  switch2h: Date.parse("2024-06-11T00:00:00Z") / 1000,
  to: Date.parse("2024-06-12T00:00:00Z") / 1000,
};


function times(symbol: string): number[] {
  const out: number[] = [];
  let t = Date.parse(PROFILE[symbol]!.first) / 1000;
  while (t < END) {
    out.push(t);
    const irregular = symbol === "SOL" && t >= SOL_IRREGULAR.from && t < SOL_IRREGULAR.to;
    t += irregular ? (t >= SOL_IRREGULAR.switch2h ? 2 * H : 4 * H) : 8 * H;
  }
  return out;
}

/** A plain decimal with at most 8 places and no trailing zeros (Binance's published precision). */
function format(rate: number): string {
  const s = rate.toFixed(8).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

function main(): void {
  const outDir = resolve(process.argv[2] ?? join(__dirname, "..", "sample", "funding"));
  mkdirSync(outDir, { recursive: true });
  const rand = mulberry32(SEED);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  for (const symbol of Object.keys(PROFILE)) {
    const p = PROFILE[symbol]!;
    let ar = 0; // AR(1) component, persistence 0.9 per settlement
    const lines = ["time,funding_rate"];
    for (const t of times(symbol)) {
      ar = 0.9 * ar + Math.sqrt(1 - 0.81) * normal() * p.noise;
      const irregular = symbol === "SOL" && t >= SOL_IRREGULAR.from && t < SOL_IRREGULAR.to;
      let rate = rand() < p.pinned ? 0.0001 : p.mean + ar;
      if (irregular) rate = -0.002 - 0.004 * rand(); // a stress window: shorts pay, per 4h/2h interval
      lines.push(`${new Date(t * 1000).toISOString().replace(".000Z", "Z")},${format(rate)}`);
    }
    writeFileSync(join(outDir, `binance_${symbol}USDT.csv`), lines.join("\n") + "\n");
    console.log(`${symbol}: ${lines.length - 1} settlements`);
  }
}

main();

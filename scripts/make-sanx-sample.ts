/**
 * Writes the SAMPLE (synthetic) SANX data in sample/mvrv/ and sample/marketcap/ (layout of
 * ../shared/data): a few DeFi symbols from src/data/tokens.json with made-up MVRV and market caps.
 * Deterministic: a seeded PRNG (mulberry32), so running it again writes the same bytes.
 *
 * Shape per asset: MVRV = a slow wave around 1 + small noise + four triangular bumps: a dip, a deeper
 * dip (below the first: x < L, an OPPORTUNITY signal), a spike and a higher spike (x > U, a DANGER
 * signal). The price follows MVRV (realised price drifting slowly), market cap = price x supply.
 *
 * Run: npx ts-node scripts/make-sanx-sample.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatDay, parseDay } from "../src/lib/csv";
import { mulberry32 } from "../src/lib/random";


interface SampleAsset {
  readonly symbol: string;
  readonly supply: number; // units
  readonly realisedPrice: number; // USD on day 0
  /** [day, amplitude] of triangular bumps (negative amplitude: a dip). */
  readonly bumps: readonly [number, number][];
}

const DAYS = 540;
const START = parseDay("2023-01-01", "sample start");
const WIDTH = 8; // half-width of a bump, days

const ASSETS: readonly SampleAsset[] = [
  { symbol: "uni", supply: 1e9, realisedPrice: 6, bumps: [[110, -0.35], [200, -0.5], [300, 0.6], [400, 0.9]] },
  { symbol: "aave", supply: 16e6, realisedPrice: 80, bumps: [[130, -0.3], [230, -0.45], [330, 0.55], [430, 0.8]] },
  { symbol: "comp", supply: 10e6, realisedPrice: 50, bumps: [[150, 0.5], [260, -0.35], [350, -0.5], [460, 0.7]] },
];

function series(a: SampleAsset, rand: () => number): { mvrv: number[]; price: number[] } {
  const mvrv: number[] = [];
  const price: number[] = [];
  const phase = rand() * 2 * Math.PI;
  for (let t = 0; t < DAYS; t++) {
    let x = 1 + 0.08 * Math.sin(t / 45 + phase) + 0.02 * (rand() - 0.5);
    for (const [t0, amp] of a.bumps) x += amp * Math.max(0, 1 - Math.abs(t - t0) / WIDTH);
    x = Math.max(0.2, x);
    mvrv.push(x);
    price.push(a.realisedPrice * (1 + t / 2000) * x);
  }
  return { mvrv, price };
}

function main(): void {
  const root = path.resolve(__dirname, "../sample");
  mkdirSync(path.join(root, "mvrv"), { recursive: true });
  mkdirSync(path.join(root, "marketcap"), { recursive: true });
  const rand = mulberry32(20260401);
  for (const a of ASSETS) {
    const { mvrv, price } = series(a, rand);
    const m = ["date,price_usd,market_cap_usd,mvrv"];
    const c = ["date,price_usd,market_cap_usd,circulating_supply"];
    for (let t = 0; t < DAYS; t++) {
      const date = formatDay(START + t);
      const p = price[t]!.toPrecision(10);
      const cap = (price[t]! * a.supply).toPrecision(12);
      m.push(`${date},${p},${cap},${mvrv[t]!.toPrecision(10)}`);
      c.push(`${date},${p},${cap},${a.supply}`);
    }
    writeFileSync(path.join(root, "mvrv", `${a.symbol}.csv`), m.join("\n") + "\n");
    writeFileSync(path.join(root, "marketcap", `${a.symbol}.csv`), c.join("\n") + "\n");
  }
  console.log(`wrote SAMPLE data for ${ASSETS.map((a) => a.symbol).join(", ")} (${DAYS} days from ${formatDay(START)}) to ${root}`);
}

main();

/**
 * SSI product tasks. `ssi:weights` is a thin wrapper over the pure methodology in
 * `src/methodology` (sections 1-3 of METHODOLOGY.md); `ssi:deploy` and `ssi:push-weights` are thin
 * wrappers over `chain/ssi.ts`.
 */
import { existsSync } from "node:fs";
import { checkOutputPath, writeOutputFile } from "./lib/output";
import { task } from "hardhat/config";
import Table from "cli-table3";
import { fail, parseChoice, readJsonArg, userErrors } from "./lib/args";
import { parseSignedReport, signedReportToJson, type SignedReport } from "../chain/weight-reports";
import { SSI_PRODUCTS } from "../ignition/modules/IndexVault";

/**
 * The chain library is loaded when a task runs, not when Hardhat loads its config: it imports the
 * TypeChain bindings, which do not exist on a fresh clone until the first compile.
 */
const chain = () => import("../chain/ssi");
import { parseUniverse } from "../src/data/universe";
import { compositionToJson, computeIndex, formatWadPercent, PRODUCTS, type IndexComposition, type Universe } from "../src/methodology";
import { clientFromHre } from "./lib/client";

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

// ---------------------------------------------------------------------------------------------
// Chain-facing SSI tasks: ssi:deploy, ssi:push-weights (logic in chain/ssi.ts)
// ---------------------------------------------------------------------------------------------

task("ssi:deploy", "Deploys the SSI protocol (PriceRegistry, WeightOracle, MAG7/MEME/DEFI vaults, their Rebalancers and the Uniswap V3 adapter) through Ignition and writes deployments/<network>.json")
  .addFlag("sampleMarket", "first deploy sample constituent tokens (open-mint faucet tokens) with feeds: mock feeds, or real Chainlink testnet feeds where they exist")
  .addFlag("reset", "local networks only: start a new Ignition deployment (after restarting `hardhat node`)")
  .addOptionalParam("market", "market addresses file to deploy over (default deployments/<network>.json; e.g. deployments/base-mainnet.json on a fork of Base); not with --sample-market")
  .addFlag("allowEoaAdmin", "testnets only: accept a plain key or the deployer as timelock proposer/executor, guardian, keeper or fee recipient (warned loudly and recorded)")
  .setAction(async (args: { sampleMarket: boolean; reset: boolean; market?: string; allowEoaAdmin: boolean }, hre) =>
    userErrors(async () => {
      if (args.market !== undefined && args.sampleMarket) fail(`give either --sample-market (deploy sample tokens) or --market FILE (use an existing market), not both`);
      if (args.market !== undefined && !existsSync(args.market)) fail(`--market ${args.market}: no such file`);
      const record = await (await import("./lib/ssi-deploy")).deploySsi(hre, { sampleMarket: args.sampleMarket, reset: args.reset, allowEoaAdmin: args.allowEoaAdmin, ...(args.market !== undefined ? { marketFile: args.market } : {}), log: (l) => console.error(l) });
      const table = new Table({ head: ["contract", "address"], style: { compact: true } });
      table.push(["PriceRegistry", record.protocol.priceRegistry], ["WeightOracle", record.protocol.weightOracle]);
      if (record.protocol.tradeAdapter !== undefined) table.push(["UniswapV3Adapter", record.protocol.tradeAdapter]);
      for (const [name, p] of Object.entries(record.products)) {
        table.push([`${p.symbol} (${name})`, p.vault]);
        if (p.rebalancer !== undefined) table.push([`  Rebalancer`, p.rebalancer]);
      }
      console.log(`SSI protocol on ${record.network} (chain ${record.chainId}); ${Object.keys(record.tokens).length} market tokens${record.sampleMarket ? " (sample, faucet: index:faucet)" : ""}`);
      console.log(table.toString());
      for (const w of record.protocol.warnings ?? []) console.log(`!!! ${w}`);
      if (record.protocol.timelock !== undefined) {
        const t = record.protocol.timelock;
        console.log(`admin: TimelockController ${t.address}, delay ${t.minDelay} s; proposers ${t.proposers.join(", ")}; executors ${t.executors.join(", ")}; cancellers ${t.cancellers.join(", ")}`);
      }
      console.log(`admin ${record.protocol.admin} · guardian ${record.protocol.guardian} · keeper ${record.protocol.keeper} · oracle ${record.protocol.quorum}-of-${record.protocol.signers.length}`);
    }),
  );

/** A positive whole number of seconds. */
function parseSeconds(value: string | undefined, name: string): bigint {
  if (value === undefined || !/^\d+$/.test(value.trim()) || BigInt(value.trim()) === 0n) fail(`--${name} "${value ?? ""}" is not a positive whole number of seconds`);
  return BigInt(value.trim());
}

task("ssi:push-weights", "Computes an index's weights from a universe file, signs the report (m-of-n) and submits it to the WeightOracle; or relays a signed report")
  .addParam("index", `the product: ${SSI_PRODUCTS.join(" | ")}`)
  .addOptionalParam("universe", "universe JSON file (e.g. sample/universe.json); not with --report")
  .addOptionalParam("incumbents", "current constituents, comma-separated (default: read from the vault's targets on chain)")
  .addOptionalParam("report", "relay this signed report file (written by --out) instead of computing one")
  .addOptionalParam("out", "write the signed report to this file and send nothing")
  .addOptionalParam("validFor", "seconds the report stays valid (<= the oracle's max validity)", "3600")
  .addOptionalParam("signatures", "relay: signature files written by ssi:sign-report, comma-separated files and/or directories; submits once the quorum is there")
  .addFlag("sign", "with --signatures: the relay (keeper) adds its own signature with its one key (WEIGHTS_SIGNER_KEY / ORACLE_SIGNER_KEY, or --account on a local network)")
  .addOptionalParam("account", "with --sign on a local network: the local account that signs")
  .addFlag("json", "print only JSON on stdout")
  .setAction(
    async (
      args: { index: string; universe?: string; incumbents?: string; report?: string; out?: string; validFor: string; signatures?: string; sign: boolean; account?: string; json: boolean },
      hre,
    ) =>
      userErrors(async () => {
        const client = clientFromHre(hre);
        const product = parseChoice(args.index, "index", SSI_PRODUCTS);
        const validFor = parseSeconds(args.validFor, "valid-for");
        if (args.signatures !== undefined) {
          if (args.universe !== undefined || args.report !== undefined || args.out !== undefined) fail(`--signatures relays signature files: give no --universe, --report or --out with it`);
          const { loadRecord, oneSigner, relayWithSignatures, signWeightReport } = await chain();
          const { readSignatureFiles } = await import("../chain/quorum");
          const record = await loadRecord(client);
          const files = readSignatureFiles(args.signatures.split(",").map((x) => x.trim()).filter((x) => x.length > 0));
          if (args.sign) {
            // The keeper's own signature, over the report the files carry, added to the merge.
            const first = files[0]!;
            const report = parseSignedReport({ report: first.file.report, domain: first.file.domain, signatures: [] }, first.source).report;
            const own = await signWeightReport(client, record, product, report, await oneSigner(client, "weights", args.account), (l) => (args.json ? console.error(l) : console.log(l)));
            files.push({ source: "the relay's own signature", file: own });
          }
          const r = await relayWithSignatures(client, record, product, files);
          if (!args.json) console.log(`merged ${files.length} signature file(s): ${r.signers.length} distinct signer(s) ${r.signers.join(", ")}`);
          return printPushed(product, r.signed, r.hash, args.json);
        }
        if (args.report !== undefined && args.universe !== undefined) fail(`give either --universe (compute and sign) or --report (relay), not both`);
        if (args.report !== undefined && args.out !== undefined) fail(`--out writes a report this task signs; with --report the report is already signed`);
        if (args.report === undefined && args.universe === undefined) fail(`--universe FILE is required (or --report FILE to relay a signed report)`);
        if (args.out !== undefined) checkOutputPath(args.out);
        const info = (l: string) => (args.json ? console.error(l) : console.log(l));

        let signed: SignedReport;
        let composition: IndexComposition | undefined;
        if (args.report !== undefined) {
          signed = parseSignedReport(readJsonArg(args.report, "report"), args.report);
          const { loadRecord, submitReport } = await chain();
          const record = await loadRecord(client);
          info(`relaying ${args.report}: ${product} round ${signed.report.round}, ${signed.report.constituents.length} constituents, ${signed.signatures.length} signatures`);
          const hash = await submitReport(client, record, product, signed);
          return printPushed(product, signed, hash, args.json);
        }
        const universe = parseUniverse(readJsonArg(args.universe, "universe"), args.universe!);
        const incumbents = args.incumbents === undefined ? undefined : parseIncumbents(args.incumbents, universe);
        const { buildSignedReport, loadRecord, submitReport } = await chain();
        const record = await loadRecord(client);
        const plan = await buildSignedReport(client, record, product, universe, { ...(incumbents ? { incumbents } : {}), validFor });
        signed = plan.signed;
        composition = plan.composition;
        if (!args.json) printComposition(product, universe.date, plan.incumbents, signed, composition!);
        if (args.out !== undefined) {
          writeOutputFile(args.out, JSON.stringify(signedReportToJson(signed), null, 2) + "\n");
          info(`signed report written to ${args.out} (nothing sent); relay it with: npx hardhat ssi:push-weights --index ${product} --report ${args.out} --network ${hre.network.name}`);
          if (args.json) console.log(JSON.stringify(signedReportToJson(signed), null, 2));
          return;
        }
        const hash = await submitReport(client, record, product, signed);
        printPushed(product, signed, hash, args.json);
      }),
  );

task("ssi:sign-report", "ONE signer signs a weight report on its own machine and writes a signature file (the relay merges them: ssi:push-weights --signatures)")
  .addParam("index", `the product: ${SSI_PRODUCTS.join(" | ")}`)
  .addOptionalParam("universe", "compute the next round's report from this universe file (the proposer); not with --report")
  .addOptionalParam("report", "sign this report: another signer's signature file or a --out report file; not with --universe")
  .addOptionalParam("incumbents", "with --universe: current constituents, comma-separated (default: the vault's targets on chain)")
  .addOptionalParam("validFor", "with --universe: seconds the report stays valid (<= the oracle's max validity)", "3600")
  .addOptionalParam("account", "local networks without WEIGHTS_SIGNER_KEY/ORACLE_SIGNER_KEY: the local account that signs")
  .addParam("out", "the signature file to write")
  .setAction(async (args: { index: string; universe?: string; report?: string; incumbents?: string; validFor: string; account?: string; out: string }, hre) =>
    userErrors(async () => {
      const client = clientFromHre(hre);
      const product = parseChoice(args.index, "index", SSI_PRODUCTS);
      if ((args.universe === undefined) === (args.report === undefined)) fail(`give exactly one of --universe FILE (propose and sign the next report) or --report FILE (sign a proposed one)`);
      const c = await chain();
      const record = await c.loadRecord(client);
      const signer = await c.oneSigner(client, "weights", args.account);
      let report;
      if (args.universe !== undefined) {
        const universe = parseUniverse(readJsonArg(args.universe, "universe"), args.universe);
        const incumbents = args.incumbents === undefined ? undefined : parseIncumbents(args.incumbents, universe);
        report = (await c.proposeReport(client, record, product, universe, { ...(incumbents ? { incumbents } : {}), validFor: parseSeconds(args.validFor, "valid-for") })).signed.report;
      } else {
        const raw = readJsonArg(args.report, "report") as Record<string, unknown>;
        report = parseSignedReport({ report: raw.report, domain: raw.domain, signatures: [] }, args.report!).report;
      }
      const file = await c.signWeightReport(client, record, product, report, signer, (l) => console.log(l));
      writeOutputFile(args.out, JSON.stringify({ _comment: `one signer's signature of a ${product} weight report: relay with ssi:push-weights --index ${product} --signatures DIR`, ...file }, null, 2) + "\n");
      console.log(`signature of ${file.signer} written to ${args.out}; other signers: ssi:sign-report --index ${product} --report ${args.out} --out FILE; the relay: ssi:push-weights --index ${product} --signatures FILES|DIR`);
    }),
  );

function printComposition(product: string, date: string, incumbents: string[], signed: SignedReport, composition: IndexComposition): void {
  const table = new Table({ head: ["rank", "symbol", "token", "weight %", "weight (WAD)"], style: { compact: true } });
  composition.constituents.forEach((c, i) => table.push([c.rank, c.symbol, signed.report.constituents[i]!, formatWadPercent(c.weight), c.weight.toString()]));
  console.log(`${product} weights as of ${date} (${incumbents.length === 0 ? "first construction" : `incumbents from ${incumbents.join(",")}`}), round ${signed.report.round}`);
  console.log(table.toString());
}

function printPushed(product: string, signed: SignedReport, hash: string, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ index: product, round: signed.report.round.toString(), tx: hash, report: signedReportToJson(signed) }, null, 2));
    return;
  }
  console.log(`${product} round ${signed.report.round} accepted (tx ${hash}); the vault's targets on chain match the report`);
}

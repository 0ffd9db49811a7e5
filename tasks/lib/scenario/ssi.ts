/**
 * Demo section: the three SSI products end to end on the in-process network. Same code paths as the
 * tasks (chain/ssi.ts): ssi:deploy --sample-market, ssi:push-weights, index:faucet,
 * index:mint, index:status, index:redeem.
 */
import path from "node:path";
import { loadUniverseFile } from "../../../src/data/universe";
import { formatWadPercent } from "../../../src/methodology";
import {
  buildSignedReport,
  executeMint,
  executeRedeem,
  faucet,
  formatUnitsExact,
  formatUsd,
  planMint,
  planRedeem,
  readStatus,
  SSI_PRODUCTS,
  submitReport,
  vaultOf,
} from "../../../chain/ssi";
import type { DemoContext, DemoSection } from "./context";
import { TimelockController__factory, govCall, govern } from "../../../chain/governance";
import { refreshFeeds } from "../../../chain/market";
import { deploySsi } from "../ssi-deploy";

const WAD = 10n ** 18n;
const UNIVERSE = path.join(__dirname, "..", "..", "..", "sample", "universe.json");
/** Whole index tokens Alice mints, then redeems, per product. */
const MINT = 10n;
const REDEEM = 4n;

export const ssiSection: DemoSection = {
  name: "SSI index vaults (MAG7.ssi, MEME.ssi, DEFI.ssi)",
  async run(ctx: DemoContext) {
    const { hre, client, print, signers } = ctx;
    const { alice } = signers;
    const universe = loadUniverseFile(UNIVERSE);

    print.heading("1. Deploy: sample market + SSI protocol (ssi:deploy --sample-market)");
    const record = await deploySsi(hre, { sampleMarket: true, priceUniverse: universe, log: (l) => print.line(`  ${l}`) });
    ctx.deployment = record;
    print.table(
      ["contract", "address"],
      [
        ["PriceRegistry", record.protocol.priceRegistry],
        ["WeightOracle", `${record.protocol.weightOracle} (${record.protocol.quorum}-of-${record.protocol.signers.length})`],
        ...SSI_PRODUCTS.map((p) => [record.products[p]!.symbol, record.products[p]!.vault]),
      ],
    );

    print.heading(`2. Weights from ${path.relative(process.cwd(), UNIVERSE)} (${universe.date}, SAMPLE data), signed and pushed`);
    for (const product of SSI_PRODUCTS) {
      const plan = await buildSignedReport(client, record, product, universe, { validFor: 3600n });
      await submitReport(client, record, product, plan.signed, alice); // anyone may relay a signed report
      const c = plan.composition!;
      print.line(`${record.products[product]!.symbol}: round ${plan.signed.report.round} accepted, ${c.constituents.length} constituents, ${plan.signed.signatures.length} signatures (relayed by Alice)`);
      print.line(`  ${c.constituents.map((x) => `${x.symbol} ${formatWadPercent(x.weight, 2)}`).join(" · ")}`);
    }

    print.heading("3. Alice takes test tokens (index:faucet) and mints in kind (index:mint)");
    const got = await faucet(client, record, alice.address, 1_000_000n, signers.deployer);
    print.line(`faucet: about $1,000,000 of each of ${got.length} sample tokens to Alice`);
    for (const product of SSI_PRODUCTS) {
      const vault = vaultOf(record, product, alice);
      const legs = await planMint(record, vault, alice, MINT * WAD);
      await executeMint(vault, alice, MINT * WAD, alice.address, legs);
      print.line(`minted ${MINT} ${record.products[product]!.symbol}: paid ${legs.map((l) => `${formatUnitsExact(l.amount, l.decimals)} ${l.symbol}`).join(", ")}`);
    }

    print.heading("4. Status (index:status)");
    const rows: (string | number)[][] = [];
    for (const product of SSI_PRODUCTS) {
      const s = await readStatus(client, record, product);
      rows.push([s.symbol, s.constituents.length, formatUnitsExact(s.totalSupply, 18), formatUsd(s.nav), formatUsd(s.navPerShare), `${formatWadPercent(s.fee.rate, 2)}/yr`, s.paused ? "paused" : "open"]);
    }
    print.table(["index", "constituents", "supply", "NAV", "NAV / token", "fee", "mint"], rows);
    const mag7 = await readStatus(client, record, "MAG7");
    print.line(`${mag7.symbol} composition:`);
    print.table(
      ["constituent", "units per token", "vault balance", "target weight"],
      mag7.constituents.map((c) => [c.symbol, formatUnitsExact(c.units, c.decimals), formatUnitsExact(c.balance, c.decimals), c.targetWeight === undefined ? "-" : formatWadPercent(c.targetWeight, 2)]),
    );

    print.heading("5. Alice redeems in kind (index:redeem)");
    const summary: string[] = [];
    for (const product of SSI_PRODUCTS) {
      const vault = vaultOf(record, product, alice);
      const symbol = record.products[product]!.symbol;
      const legs = await planRedeem(record, vault, alice, REDEEM * WAD, symbol);
      await executeRedeem(vault, alice, REDEEM * WAD, alice.address, legs);
      const s = await readStatus(client, record, product);
      print.line(`redeemed ${REDEEM} ${symbol}: received ${legs.length} constituents (e.g. ${formatUnitsExact(legs[0]!.amount, legs[0]!.decimals)} ${legs[0]!.symbol}); supply now ${formatUnitsExact(s.totalSupply, 18)}`);
      summary.push(
        `${symbol.padEnd(9)} round ${s.targetsRound}, ${String(s.constituents.length).padStart(2)} constituents, minted ${MINT}, redeemed ${REDEEM}, supply ${formatUnitsExact(s.totalSupply, 18)}, NAV ${formatUsd(s.nav)}, NAV/token ${formatUsd(s.navPerShare)}`,
      );
    }

    print.heading("6. The guardian's pause stops minting, never redemption");
    const meme = vaultOf(record, "MEME", signers.guardian);
    await (await meme.pause()).wait();
    let refused = "minted anyway (unexpected)";
    try {
      await planMint(record, vaultOf(record, "MEME", alice), alice, WAD);
    } catch (e) {
      refused = `refused: ${(e as Error).message}`;
    }
    print.line(`guardian paused MEME.ssi; Alice tries to mint 1: ${refused}`);
    const legs = await planRedeem(record, vaultOf(record, "MEME", alice), alice, WAD, "MEME.ssi");
    await executeRedeem(vaultOf(record, "MEME", alice), alice, WAD, alice.address, legs);
    print.line(`while paused, Alice redeems 1 MEME.ssi: received ${legs.length} constituents`);
    // Unpausing is an admin action: it is queued on the admin timelock, visible for the whole delay, then executed.
    const timelock = TimelockController__factory.connect(record.protocol.admin, signers.deployer);
    const delay = await timelock.getMinDelay();
    const lift = [await govCall(vaultOf(record, "MEME", signers.deployer), "unpause", [])];
    await (await govern(timelock, lift, { beforeExecute: () => refreshFeeds(signers.deployer, record as never) })).wait();
    print.line(`governance lifts the pause: queued on the admin timelock, visible to holders for ${delay / 3600n} h, then executed`);
    summary.push(`pause: mint refused while paused, redeem of 1 MEME.ssi went through (MEME.ssi supply ${formatUnitsExact(await meme.totalSupply(), 18)})`);
    ctx.summary.push({ section: this.name, lines: summary });
  },
};

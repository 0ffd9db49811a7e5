/**
 * The real keeper (keeper/run.ts with the product modules) over an RPC client, all five products on
 * the SAMPLE deployment, a few simulated months, one tick a day, on two node implementations:
 * - hardhat: the in-process chain served over HTTP (tasks/lib/rpc-bridge.ts), so the keeper talks JSON-RPC
 *   to it as to any node;
 * - anvil: a real anvil forking that chain (`--fork-url` the bridge), time travel and feeds on anvil.
 * Counted from the keeper's tick reports and the chain: no piece of work completed twice, no keeper
 * transaction reverted, every SSI index's weights current for every month, a further tick repeats nothing.
 */
import { expect } from "chai";
import hre from "hardhat";
import { IndexVault__factory, WeightOracle__factory } from "../../typechain-types";
import { silentLogger } from "../../keeper/log";
import { monthKey } from "../../keeper/products/common";
import { DAY, chainNow, deploySimStack, simClient, simulate, type SimNode, type SimStack } from "../../tasks/lib/keeper-sim";
import { rpc, startNode, type RunningNode } from "./nodes";

const DAYS = Number(process.env.KEEPER_INTEGRATION_DAYS ?? 32);
const SSI = ["MAG7", "MEME", "DEFI"] as const;

async function expectCurrent(stack: Pick<SimStack, "record" | "client">, months: number): Promise<void> {
  const oracle = WeightOracle__factory.connect(stack.record.protocol.weightOracle, stack.client.provider);
  for (const p of SSI) {
    const vault = IndexVault__factory.connect(stack.record.products[p]!.vault, stack.client.provider);
    expect(await oracle.lastRound(vault), `${p}: one weight round a month`).to.equal(BigInt(months));
  }
}

describe(`the real keeper over RPC, all five products, ${DAYS} simulated days`, function () {
  this.timeout(600_000);
  let stack: SimStack;
  let anvil: RunningNode | undefined;
  let months = 0;

  before(async function () {
    stack = await deploySimStack(hre);
  });
  after(async function () {
    await anvil?.stop();
    await stack?.close();
  });

  it("hardhat (the in-process chain over HTTP): every piece of work once, indexes current, a further tick repeats nothing", async function () {
    const start = await chainNow(stack.node);
    const sim = await simulate(stack, DAYS, silentLogger());
    const failures = sim.ticks.flatMap((t) => t.results.filter((r) => !["done", "progressed", "skipped"].includes(r.outcome)).map((r) => `${r.key}: ${r.outcome} ${r.words ?? ""}`));
    expect(failures).to.deep.equal([]);
    expect(sim.doneTwice).to.deep.equal([]);
    expect(sim.revertedTxs).to.equal(0);
    months = new Set(Array.from({ length: DAYS + 1 }, (_, d) => monthKey(start + BigInt(d) * DAY))).size;
    await expectCurrent(stack, months);
    const kinds = new Set(sim.ticks.flatMap((t) => t.results.filter((r) => r.outcome === "done").map((r) => `${r.product}/${r.kind}`)));
    for (const k of ["MAG7/weights", "MEME/weights", "DEFI/weights", "USSI/nav"]) expect([...kinds]).to.include(k);
    // One more tick a moment later: whatever it sends is new work (a NAV report falls due seconds after the
    // last day's, a day after the previous one), never a piece of work already done.
    const done = new Set(sim.ticks.flatMap((t) => t.results.filter((r) => r.outcome === "done").map((r) => r.key)));
    const idle = await sim.keeper.tick();
    expect(idle.results.filter((r) => r.txs > 0 && done.has(r.key)).map((r) => r.key)).to.deep.equal([]);
    expect(idle.ok).to.equal(true);
    console.log(`      hardhat: ${DAYS} days in ${sim.seconds.toFixed(1)} s, ${sim.ticks.reduce((n, t) => n + t.results.reduce((m, r) => m + r.txs, 0), 0)} transactions; done: ${[...kinds].sort().join(", ")}`);
  });

  it("anvil (forking that chain): the same keeper carries on for the same number of days, every piece of work once", async function () {
    anvil = await startNode("anvil", ["--fork-url", stack.bridge.url, "--no-rate-limit"]);
    const node: SimNode = { send: (method, params) => rpc(anvil!.url, method, params), setStorage: "anvil_setStorageAt" };
    const { client, keeperAccount, provider } = simClient(anvil.url, "anvil", stack.record);
    try {
      const start = await chainNow(node);
      const sim = await simulate({ node, client, record: stack.record, feeds: stack.feeds, keeperAccount }, DAYS, silentLogger());
      const failures = sim.ticks.flatMap((t) => t.results.filter((r) => !["done", "progressed", "skipped"].includes(r.outcome)).map((r) => `${r.key}: ${r.outcome} ${r.words ?? ""}`));
      expect(failures).to.deep.equal([]);
      expect(sim.doneTwice).to.deep.equal([]);
      expect(sim.revertedTxs).to.equal(0);
      const more = new Set(Array.from({ length: DAYS + 1 }, (_, d) => monthKey(start + BigInt(d) * DAY)));
      await expectCurrent({ record: stack.record, client }, months + more.size - 1);
      console.log(`      anvil: ${DAYS} days in ${sim.seconds.toFixed(1)} s`);
    } finally {
      provider.destroy();
    }
  });
});

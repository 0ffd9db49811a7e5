/**
 * The keeper's runtime against two real node implementations, `hardhat node` and anvil, each started
 * by this file on a free port and stopped by PID. The work is the toy product (test/keeper/toy.ts):
 * idempotent from chain state, every submission countable on chain per piece of work.
 */
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { createLogger, type Logger } from "../../keeper/log";
import { KeeperMetrics, serveMetrics } from "../../keeper/metrics";
import { Keeper, type KeeperOptions } from "../../keeper/run";
import { Rpc } from "../../keeper/rpc";
import { Sender } from "../../keeper/sender";
import type { ProductKeeper } from "../../keeper/work";
import type { Client } from "../../chain/client";
import { FaultProxy } from "./fault-proxy";
import { NODE_KINDS, rpc, startNode, stopAllNodes, type RunningNode } from "./nodes";
import { KEYS, addressOf, callToy, counterOf, countSteps, deployToy, duplicates, keeperClient, testConfig, toyInterface, toyProduct, keyId } from "./toy";

interface Logs {
  log: Logger;
  lines: Record<string, unknown>[];
}
function logs(): Logs {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ json: true, level: "debug", write: (l) => void lines.push(JSON.parse(l)) }) };
}

const clients: Client[] = [];
function client(url: string, key: string = KEYS.keeper): Client {
  const c = keeperClient(url, key);
  clients.push(c);
  return c;
}

async function keeper(c: Client, products: ProductKeeper[], opts: Partial<KeeperOptions> & { config?: ReturnType<typeof testConfig> } = {}): Promise<Keeper & { lines: Record<string, unknown>[] }> {
  const l = logs();
  const k = await Keeper.create(c, products, { config: opts.config ?? testConfig(), log: l.log, pollMs: 100, progressFrom: 1e9, ...opts });
  return Object.assign(k, { lines: l.lines });
}

const keeperAddr = addressOf(KEYS.keeper);
const show = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
const mine = (url: string) => rpc(url, "evm_mine", []);
const automine = (url: string, on: boolean) => rpc(url, "evm_setAutomine", [on]);
async function waitFor(cond: () => Promise<boolean>, ms = 20_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const pendingCount = async (url: string, addr: string) => Number(BigInt(await rpc<string>(url, "eth_getTransactionCount", [addr, "pending"])));

for (const kind of NODE_KINDS) {
  describe(`keeper runtime on ${kind}`, function () {
    this.timeout(90_000);
    let node: RunningNode;
    let toy: string;

    before(async function () {
      node = await startNode(kind);
    });
    after(async function () {
      for (const c of clients.splice(0)) (c.provider as JsonRpcProvider).destroy?.();
      await node?.stop();
    });
    beforeEach(async function () {
      toy = await deployToy(node.url);
    });

    it("sender: several steps in flight get consecutive nonces, and a nonce used behind its back is read again", async function () {
      const c = client(node.url);
      const [signer] = await c.signers();
      const l = logs();
      const r = new Rpc(c.provider, testConfig().retry);
      const sender = await Sender.create(c.provider, signer!, r, { confirmations: 1, txTimeoutSeconds: 60, feeBumpPercent: 20, maxFeeGwei: 500, gasMarginPercent: 20, dryRun: false, pollMs: 50 }, l.log);
      const iface = toyInterface();
      const start = await pendingCount(node.url, keeperAddr);
      await automine(node.url, false);
      try {
        const keys = ["a", "b", "c", "d"];
        const outs = keys.map((k) => sender.send({ label: k, to: toy, data: iface.encodeFunctionData("step", [keyId(k), 0]), gasLimit: 100_000n }, { product: "MAG7", kind: "weights", key: k }));
        await waitFor(async () => (await pendingCount(node.url, keeperAddr)) === start + 4, 10_000, "4 pending transactions");
        await mine(node.url);
        const done = await Promise.all(outs);
        expect(done.map((d) => d.status)).to.deep.equal(["mined", "mined", "mined", "mined"]);
        expect(done.map((d) => (d.status === "mined" ? d.nonce : -1)).sort((a, b) => a - b)).to.deep.equal([start, start + 1, start + 2, start + 3]);
      } finally {
        await automine(node.url, true);
      }
      // The same account sends outside the keeper: the sender's next nonce is stale, the node says so, it reads again.
      const p = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      await (await new Wallet(KEYS.keeper, p).sendTransaction({ to: toy, data: iface.encodeFunctionData("step", [keyId("outside"), 0]) })).wait();
      p.destroy();
      const out = await sender.send({ label: "e", to: toy, data: iface.encodeFunctionData("step", [keyId("e"), 0]) }, { product: "MAG7", kind: "weights", key: "e" });
      expect(out.status).to.equal("mined");
      expect(l.lines.some((x) => String(x.msg).includes("nonce already in use"))).to.equal(true);
      expect(await counterOf(node.url, toy, "e")).to.equal(1);
      expect(duplicates(await countSteps(node.url, toy, ["a", "b", "c", "d", "e", "outside"]))).to.deep.equal([]);
    });

    it("a transaction stuck in the mempool is replaced at the same nonce with >= feeBumpPercent more on both fees", async function () {
      const c = client(node.url);
      const k = await keeper(c, [toyProduct(c, toy, { stuck: 1 })], { config: testConfig({ txTimeoutSeconds: 1, feeBumpPercent: 12.5 }) });
      await automine(node.url, false);
      let tick;
      try {
        tick = k.tick();
        await waitFor(async () => k.lines.some((x) => String(x.msg).includes("replaced with a higher fee")), 15_000, "a replacement");
        await mine(node.url);
        await waitFor(async () => (await counterOf(node.url, toy, "stuck")) === 1, 10_000, "the step mined");
      } finally {
        await automine(node.url, true);
      }
      const report = await tick;
      expect(report.results[0]!.outcome).to.equal("done");
      const txs = await countSteps(node.url, toy, ["stuck"]);
      expect(txs).to.have.length(1);
      const sent = k.lines.filter((x) => String(x.msg).startsWith("sent ") || String(x.msg).includes("replaced with a higher fee"));
      expect(sent.length).to.be.greaterThanOrEqual(2);
      const mined = await rpc<{ maxFeePerGas: string; maxPriorityFeePerGas: string }>(node.url, "eth_getTransactionByHash", [txs[0]!.hash]);
      const first = await rpc<{ maxFeePerGas: string; maxPriorityFeePerGas: string } | null>(node.url, "eth_getTransactionByHash", [sent[0]!.hash]);
      // The first version is gone (replaced); its fees are in the sender's log line of the replacement.
      expect(first === null || first === undefined || txs[0]!.hash !== sent[0]!.hash).to.equal(true);
      expect((await k.metrics.registry.getSingleMetricAsString("keeper_tx_replacements_total"))).to.match(/keeper_tx_replacements_total\{product="MAG7"\} [1-9]/);
      expect(BigInt(mined.maxPriorityFeePerGas)).to.be.greaterThan(0n);
    });

    it("after a restart it waits for the previous run's transaction still in the mempool, then re-reads the work: no duplicate", async function () {
      const c = client(node.url);
      await automine(node.url, false);
      let tick;
      try {
        // The "previous run" sent step 0 of "restart" and died before it was mined.
        const p = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
        await new Wallet(KEYS.keeper, p).sendTransaction({ to: toy, data: toyInterface().encodeFunctionData("step", [keyId("restart"), 0]), gasLimit: 100_000n });
        p.destroy();
        const k = await keeper(c, [toyProduct(c, toy, { restart: 2 })]);
        tick = k.tick();
        await waitFor(async () => k.lines.some((x) => String(x.msg).includes("pending from an earlier run")), 10_000, "the wait");
        await mine(node.url);
      } finally {
        await automine(node.url, true);
      }
      expect((await tick).ok).to.equal(true);
      expect(await counterOf(node.url, toy, "restart")).to.equal(2);
      expect(duplicates(await countSteps(node.url, toy, ["restart"]))).to.deep.equal([]);
    });

    it("5xx answers, dropped answers and answers past the timeout: every step lands once (no duplicate on chain)", async function () {
      const proxy = new FaultProxy(node.url);
      await proxy.up();
      try {
        const c = client(proxy.url);
        const goals = { f1: 2, f2: 2, f3: 2 };
        const k = await keeper(c, [toyProduct(c, toy, goals)], { parallelProducts: false });
        proxy.inject("error5xx", 3);
        proxy.inject("drop", 2, { method: "eth_sendRawTransaction" });
        proxy.inject("delay", 1, { method: "eth_sendRawTransaction", ms: 2_500 });
        proxy.inject("drop", 2, { method: "eth_getTransactionReceipt" });
        proxy.inject("delay", 2, { method: "eth_estimateGas", ms: 2_500 });
        const report = await k.tick();
        expect(report.ok, show(report.results)).to.equal(true);
        expect(proxy.faultsApplied).to.equal(10);
        for (const key of Object.keys(goals)) expect(await counterOf(node.url, toy, key)).to.equal(2);
        const txs = await countSteps(node.url, toy, Object.keys(goals));
        expect(txs.filter((t) => t.from === keeperAddr)).to.have.length(6);
        expect(duplicates(txs, keeperAddr)).to.deep.equal([]);
        const errors = await k.metrics.registry.getSingleMetricAsString("keeper_rpc_errors_total");
        expect(errors).to.match(/kind="http-5xx"/).and.to.match(/kind="timeout"/).and.to.match(/kind="connection"/);
      } finally {
        await proxy.close();
      }
    });

    it("the node goes down mid-run and comes back: the keeper resumes with no duplicate", async function () {
      const proxy = new FaultProxy(node.url);
      await proxy.up();
      const goals = { d1: 3, d2: 3 };
      try {
        const c = client(proxy.url);
        let outage: Promise<void> | undefined;
        const k = await keeper(c, [
          toyProduct(c, toy, goals, {
            beforeStep: async (n) => {
              if (n !== 3) return;
              await proxy.down(); // refuses connections from here
              outage = (async () => {
                await new Promise((r) => setTimeout(r, 1_500));
                if (kind === "anvil") await node.restart(); // a real stop and restart with its state, same port
                await proxy.up(proxy.port);
              })();
            },
          }),
        ]);
        const code = await k.run({ once: false, maxTicks: 2 });
        await outage;
        expect(code).to.equal(0);
        for (const key of Object.keys(goals)) expect(await counterOf(node.url, toy, key)).to.equal(3);
        const txs = await countSteps(node.url, toy, Object.keys(goals));
        expect(duplicates(txs, keeperAddr)).to.deep.equal([]);
        expect(txs.filter((t) => t.from === keeperAddr)).to.have.length(6);
        expect(await k.metrics.registry.getSingleMetricAsString("keeper_rpc_errors_total")).to.match(/kind="connection"/);
      } finally {
        await proxy.close();
      }
    });

    it("two keepers side by side on one node: every step is done exactly once", async function () {
      const goals = { s1: 3, s2: 3, s3: 3, s4: 3 };
      const c1 = client(node.url, KEYS.keeper);
      const c2 = client(node.url, KEYS.keeper2);
      const k1 = await keeper(c1, [toyProduct(c1, toy, goals)]);
      const k2 = await keeper(c2, [toyProduct(c2, toy, goals)]);
      const [r1, r2] = await Promise.all([k1.tick(), k2.tick()]);
      for (const key of Object.keys(goals)) expect(await counterOf(node.url, toy, key)).to.equal(3);
      const txs = await countSteps(node.url, toy, Object.keys(goals));
      const ok = txs.filter((t) => t.ok);
      expect(ok).to.have.length(12);
      expect(duplicates(ok)).to.deep.equal([]);
      // Both keepers end content: the work is done whoever did it.
      expect(r1.ok && r2.ok, show([r1.results, r2.results])).to.equal(true);
      expect([...r1.results, ...r2.results].every((r) => r.outcome === "done" || r.outcome === "skipped")).to.equal(true);
      // A race lost on chain (both simulated before either mined) costs a reverted transaction, never a second step.
      const lost = txs.filter((t) => !t.ok);
      if (lost.length > 0) console.log(`      (${kind}: ${lost.length} step(s) lost a race and reverted on chain)`);
    });

    it("a reverting step is reported once as a finding in words, sends nothing and is not looped on; --once exits 1", async function () {
      await callToy(node.url, toy, "setBlocked", [keyId("blocked"), true]);
      const c = client(node.url);
      const k = await keeper(c, [toyProduct(c, toy, { blocked: 2, fine: 1 })]);
      const before = await pendingCount(node.url, keeperAddr);
      const first = await k.tick();
      const second = await k.tick();
      const code = await k.run({ once: true });
      expect(first.results.find((r) => r.key === "blocked")!.outcome).to.equal("reverted");
      expect(first.results.find((r) => r.key === "blocked")!.words).to.match(/KeyBlocked/);
      expect(second.results.find((r) => r.key === "blocked")!.outcome).to.equal("parked");
      expect(code).to.equal(1);
      const findings = k.lines.filter((x) => x.finding !== undefined);
      expect(findings).to.have.length(1);
      expect(String(findings[0]!.msg)).to.match(/reverts: .*KeyBlocked/);
      // Only "fine" was sent.
      expect((await pendingCount(node.url, keeperAddr)) - before).to.equal(1);
      // The chain changes (unblocked) but the step is the same: it waits for revertRetrySeconds (here 0).
      await callToy(node.url, toy, "setBlocked", [keyId("blocked"), false]);
      const k0 = await keeper(c, [toyProduct(c, toy, { blocked: 2 })], { config: testConfig({ revertRetrySeconds: 0 }) });
      expect(await k0.run({ once: true })).to.equal(0);
      expect(await counterOf(node.url, toy, "blocked")).to.equal(2);
    });

    it("work another party already did is recognised and skipped; --dry-run sends nothing; --once exits 0 when all is done", async function () {
      await callToy(node.url, toy, "step", [keyId("theirs"), 0]);
      await callToy(node.url, toy, "step", [keyId("theirs"), 1]);
      const c = client(node.url);
      const before = await pendingCount(node.url, keeperAddr);
      const dry = await keeper(c, [toyProduct(c, toy, { theirs: 2, mine: 2 })], { dryRun: true });
      expect(await dry.run({ once: true })).to.equal(0);
      const r = await dry.tick();
      expect(r.results.map((x) => `${x.key}:${x.outcome}`).sort()).to.deep.equal(["mine:dry-run", "theirs:skipped"]);
      expect(await pendingCount(node.url, keeperAddr)).to.equal(before);
      expect(await counterOf(node.url, toy, "mine")).to.equal(0);
      expect(dry.lines.some((x) => String(x.msg).startsWith("dry run: would send"))).to.equal(true);

      const real = await keeper(c, [toyProduct(c, toy, { theirs: 2, mine: 2 })]);
      expect(await real.run({ once: true })).to.equal(0);
      expect(await counterOf(node.url, toy, "mine")).to.equal(2);
      const txs = await countSteps(node.url, toy, ["theirs", "mine"]);
      expect(txs.filter((t) => t.key === "theirs" && t.from === keeperAddr)).to.deep.equal([]);
    });

    it("/metrics and /health answer (503 before a good tick, 200 after)", async function () {
      const c = client(node.url);
      const metrics = new KeeperMetrics(true);
      const k = await keeper(c, [toyProduct(c, toy, { m: 1 })], { metrics });
      const server = await serveMetrics(metrics, 0, () => k.healthMaxAge());
      try {
        const h0 = await fetch(`http://127.0.0.1:${server.port}/health`);
        expect(h0.status).to.equal(503);
        expect(await h0.json()).to.include({ status: "unhealthy" });
        await k.tick();
        const h1 = await fetch(`http://127.0.0.1:${server.port}/health`);
        expect(h1.status).to.equal(200);
        expect(await h1.json()).to.include({ status: "ok", lastTickOk: true });
        const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
        for (const m of ["keeper_work_done_total", "keeper_work_failures_total", "keeper_last_success_timestamp_seconds", "keeper_gas_used_total", "keeper_lag_seconds", "keeper_rpc_errors_total", "keeper_tx_replacements_total"]) {
          expect(text).to.include(`# TYPE ${m}`);
        }
        expect(text).to.match(/keeper_work_done_total\{product="MAG7",kind="weights"\} 1/);
        expect(text).to.match(/keeper_gas_used_total\{product="MAG7",kind="weights"\} [1-9]/);
        expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).to.equal(404);
      } finally {
        await server.close();
      }
    });
  });
}

after(async function () {
  await stopAllNodes();
});

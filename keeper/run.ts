/**
 * The keeper's loop. A tick reads the chain's time (the latest block's timestamp), asks every product
 * what is due, and drives each piece of work one step at a time: `nextStep()` re-reads the chain before
 * every step, so work another party did is skipped and multi-step work advances from chain state alone.
 * Products run side by side (one account, the sender hands out nonces); a product's own work runs in order.
 * A step that reverts is reported once as a finding and parked: it is not tried again until the work
 * proposes a different step (the chain changed) or `revertRetrySeconds` have passed.
 * `once`: one tick; the exit code is 1 when any due work could not finish. Otherwise it sleeps until the
 * next poll (or the next due time, when sooner) and ticks again until stopped.
 */
import { SingleBar, Presets } from "cli-progress";
import { keccak256, toUtf8Bytes, type Signer } from "ethers";
import type { Client } from "../chain/client";
import type { KeeperConfig } from "./config";
import type { Logger } from "./log";
import { KeeperMetrics } from "./metrics";
import { describeError } from "../chain/revert";
import { Rpc, messageOf, sleep } from "./rpc";
import { Sender } from "./sender";
import type { Product, ProductKeeper, TxStep, Work, WorkKind } from "./work";

export type WorkOutcome = "done" | "progressed" | "skipped" | "reverted" | "parked" | "failed" | "dry-run" | "unknown";

export interface WorkResult {
  key: string;
  product: Product;
  kind: WorkKind;
  outcome: WorkOutcome;
  /** Transactions this keeper had mined for it in this tick. */
  txs: number;
  gasUsed: bigint;
  /** For a revert or a failure: what happened, in words. */
  words?: string;
}

export interface TickReport {
  /** {unix s} chain time the tick read. */
  now: bigint;
  results: WorkResult[];
  /** Products whose `due()` failed this tick. */
  productErrors: { product: Product; error: string }[];
  nextDue: { product: Product; at: bigint | undefined }[];
  /** True when every due piece of work finished (done, skipped or dry-run) and every product answered. */
  ok: boolean;
}

export interface KeeperOptions {
  config: KeeperConfig;
  log: Logger;
  metrics?: KeeperMetrics;
  dryRun?: boolean;
  /** Drive the products side by side (default true); false = one after the other. */
  parallelProducts?: boolean;
  /** Show a progress bar for ticks with at least this many pieces of work (default 10; only on a terminal). */
  progressFrom?: number;
  /** {ms} between two receipt polls (default 500; tests go faster). */
  pollMs?: number;
  /** The account that sends (default: the client's first signer). */
  sender?: Signer;
}

const fingerprint = (s: TxStep) => keccak256(toUtf8Bytes(`${s.to.toLowerCase()}|${s.data.toLowerCase()}|${String(s.value ?? 0n)}`));
const MAX_STEPS_PER_WORK = 200;

export class Keeper {
  readonly metrics: KeeperMetrics;
  readonly rpc: Rpc;
  /** Work keys parked after a revert: the step that reverted and until when (ms). */
  private readonly parked = new Map<string, { fp: string; until: number; words: string }>();
  private readonly findings = new Set<string>();
  private stopping = false;
  private wake: (() => void) | undefined;

  private constructor(
    readonly client: Client,
    readonly products: ProductKeeper[],
    readonly sender: Sender,
    readonly options: KeeperOptions,
    rpc: Rpc,
    metrics: KeeperMetrics,
  ) {
    this.rpc = rpc;
    this.metrics = metrics;
  }

  static async create(client: Client, products: ProductKeeper[], options: KeeperOptions): Promise<Keeper> {
    const metrics = options.metrics ?? new KeeperMetrics();
    const { config, log } = options;
    const rpc = new Rpc(client.provider, config.retry, (method, kind, e) => {
      metrics.rpcErrors.inc({ method, kind });
      log.debug({ method, kind, error: messageOf(e) }, "RPC call failed; retrying with backoff");
    });
    await rpc.call("eth_chainId", []); // the provider's own start-up (network detection) happens here, with retries
    const signer = options.sender ?? (await client.signers())[0];
    if (signer === undefined) throw new Error(`no account to send from on "${client.network}": set KEEPER_KEY`);
    const sender = await Sender.create(
      client.provider,
      signer,
      rpc,
      {
        confirmations: config.confirmations,
        txTimeoutSeconds: config.txTimeoutSeconds,
        feeBumpPercent: config.feeBumpPercent,
        maxFeeGwei: config.maxFeeGwei,
        gasMarginPercent: config.gasMarginPercent,
        dryRun: options.dryRun ?? false,
        pollMs: options.pollMs,
      },
      log,
      metrics,
    );
    return new Keeper(client, products, sender, options, rpc, metrics);
  }

  get log(): Logger {
    return this.options.log;
  }

  /** {s} /health's freshness bound. */
  healthMaxAge(): number {
    const c = this.options.config;
    return c.healthMaxAgeSeconds ?? 3 * c.pollSeconds + 60;
  }

  /** The chain's time: the latest block's timestamp {unix s}. */
  async chainTime(): Promise<bigint> {
    const block = await this.rpc.call<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
    return BigInt(block.timestamp);
  }

  private cleared = false;

  /** One pass: every product's due work driven to its end (or to what stops it). */
  async tick(): Promise<TickReport> {
    if (!this.cleared && !(this.options.dryRun ?? false)) {
      this.cleared = await this.sender.awaitOwnPending(this.options.config.txTimeoutSeconds);
      if (!this.cleared) throw new Error(`transactions of ${this.sender.address} from an earlier run are still pending after ${this.options.config.txTimeoutSeconds} s: not sending until they are mined`);
    }
    const now = await this.chainTime();
    const productErrors: TickReport["productErrors"] = [];
    const askDue = async (p: ProductKeeper): Promise<Work[]> => {
      try {
        return await this.rpc.retryRead(`${p.product} due`, () => p.due(now));
      } catch (e) {
        const error = messageOf(e);
        productErrors.push({ product: p.product, error });
        this.metrics.workFailed.inc({ product: p.product, kind: "weights", reason: "due-failed" });
        this.log.error({ product: p.product, error }, "could not read what is due");
        return [];
      }
    };
    const due = await Promise.all(this.products.map(async (p) => ({ p, works: await askDue(p) })));
    const bar = this.progressBar(due.reduce((n, d) => n + d.works.length, 0));
    const results: WorkResult[] = [];
    const runProduct = async ({ p, works }: { p: ProductKeeper; works: Work[] }) => {
      // A product's step can make more of its own work due at the same chain time (a SANX action, then its
      // weight report): ask again after a pass that sent something, never retrying a key that failed this tick.
      const tried = new Set<string>();
      let pending = works;
      const seen: Work[] = [];
      for (let pass = 0; pass < 6 && pending.length > 0 && !this.stopping; pass++) {
        let sent = false;
        for (const w of pending) {
          if (this.stopping) break;
          if (tried.has(w.key)) continue;
          tried.add(w.key);
          seen.push(w);
          const r = await this.drive(w, now);
          results.push(r);
          if (r.txs > 0) sent = true;
          bar?.increment(1, { key: w.key });
        }
        if (!sent) break;
        const again = await askDue(p);
        pending = again.filter((w) => !tried.has(w.key));
        if (pending.length > 0) bar?.setTotal(bar.getTotal() + pending.length);
      }
      const open = seen.filter((w) => !results.some((r) => r.key === w.key && ["done", "skipped", "dry-run"].includes(r.outcome)));
      const oldest = open.reduce<bigint | undefined>((m, w) => (m === undefined || w.dueAt < m ? w.dueAt : m), undefined);
      this.metrics.lag.set({ product: p.product }, oldest === undefined || oldest > now ? 0 : Number(now - oldest));
    };
    if (this.options.parallelProducts ?? true) await Promise.all(due.map(runProduct));
    else for (const d of due) await runProduct(d);
    bar?.stop();

    const after = await this.chainTime().catch(() => now);
    const nextDue = await Promise.all(
      this.products.map(async (p) => ({ product: p.product, at: await this.rpc.retryRead(`${p.product} nextDue`, () => p.nextDue(after)).catch(() => undefined) })),
    );
    const ok = productErrors.length === 0 && results.every((r) => ["done", "progressed", "skipped", "dry-run"].includes(r.outcome));
    const report: TickReport = { now, results, productErrors, nextDue, ok };
    this.summarise(report);
    this.metrics.tickEnded(ok, ok ? undefined : failureSummary(report));
    return report;
  }

  /** Drives one piece of work until the chain shows it complete, or something stops it. */
  async drive(work: Work, now: bigint): Promise<WorkResult> {
    const base = { key: work.key, product: work.product, kind: work.kind };
    const labels = { product: work.product, kind: work.kind };
    let txs = 0;
    let gasUsed = 0n;
    const finish = (outcome: WorkOutcome, words?: string): WorkResult => {
      if (outcome === "done" || outcome === "progressed") {
        if (outcome === "done") this.metrics.workDone.inc(labels);
        this.metrics.lastSuccess.set({ product: work.product }, Date.now() / 1000);
      } else if (outcome === "skipped") this.metrics.workSkipped.inc(labels);
      else if (outcome !== "dry-run") this.metrics.workFailed.inc({ ...labels, reason: outcome === "reverted" || outcome === "parked" ? "revert" : outcome === "unknown" ? "rpc" : "error" });
      return { ...base, outcome, txs, gasUsed, ...(words !== undefined ? { words } : {}) };
    };
    try {
      for (let steps = 0; steps < MAX_STEPS_PER_WORK; steps++) {
        const step = await this.rpc.retryRead(`${work.key} nextStep`, () => work.nextStep());
        if (step === undefined) {
          if (txs > 0) return finish(work.isComplete === undefined || (await this.rpc.retryRead(`${work.key} isComplete`, () => work.isComplete!())) ? "done" : "progressed");
          this.log.info({ key: work.key, lagSeconds: Number(now - work.dueAt) }, "already done on chain: skipped");
          return finish("skipped");
        }
        const fp = fingerprint(step);
        const parked = this.parked.get(work.key);
        if (parked !== undefined) {
          if (parked.fp === fp && Date.now() < parked.until) {
            this.log.debug({ key: work.key }, "parked after a revert: same step, not retried yet");
            return finish("parked", parked.words);
          }
          this.parked.delete(work.key);
        }
        const out = await this.sender.send(step, { product: work.product, kind: work.kind, key: work.key });
        if (out.status === "mined") {
          txs++;
          gasUsed += out.gasUsed;
          this.metrics.gasUsed.inc(labels, Number(out.gasUsed));
          this.metrics.feesPaid.inc(labels, Number(out.fee));
          continue;
        }
        if (out.status === "dry-run") return finish("dry-run");
        if (out.status === "nonce-taken") continue;
        if (out.status === "unknown") return finish("unknown", out.reason);
        // reverted: did the chain move under us (another keeper did this step)? Then follow it.
        if (out.onChain && out.gasUsed !== undefined) {
          this.metrics.gasUsed.inc(labels, Number(out.gasUsed));
          this.metrics.feesPaid.inc(labels, Number(out.fee ?? 0n));
        }
        const again = await this.rpc.retryRead(`${work.key} nextStep`, () => work.nextStep());
        if (again === undefined) {
          this.log.info({ key: work.key }, "another party completed this work while it was being sent: nothing more to do");
          return finish(txs > 0 ? "done" : "skipped");
        }
        if (fingerprint(again) !== fp) continue;
        const finding = `${work.key}|${fp}|${out.words}`;
        if (!this.findings.has(finding)) {
          this.findings.add(finding);
          this.log.error({ key: work.key, step: step.label, to: step.to, onChain: out.onChain, hash: out.hash, finding: out.words }, `finding: "${step.label}" reverts: ${out.words}`);
        }
        this.parked.set(work.key, { fp, until: Date.now() + this.options.config.revertRetrySeconds * 1000, words: out.words });
        return finish("reverted", out.words);
      }
      return finish("failed", `more than ${MAX_STEPS_PER_WORK} steps: the work never reports itself complete`);
    } catch (e) {
      const words = describeError(e) ?? messageOf(e);
      this.log.error({ key: work.key, error: words }, "work failed this tick (retried next tick)");
      return finish("failed", words);
    }
  }

  private progressBar(total: number): SingleBar | undefined {
    if (total < (this.options.progressFrom ?? 10) || process.stderr.isTTY !== true) return undefined;
    const bar = new SingleBar({ format: "catching up [{bar}] {value}/{total} {key}", stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    bar.start(total, 0, { key: "" });
    return bar;
  }

  private summarise(r: TickReport): void {
    const count = (o: WorkOutcome) => r.results.filter((x) => x.outcome === o).length;
    const byWork = r.results.filter((x) => x.outcome !== "skipped").map((x) => `${x.key}:${x.outcome}${x.txs > 0 ? `(${x.txs} tx)` : ""}`);
    const next = r.nextDue.map((n) => `${n.product} ${n.at === undefined ? "-" : new Date(Number(n.at) * 1000).toISOString().replace(".000Z", "Z")}`);
    const fields = {
      chainTime: new Date(Number(r.now) * 1000).toISOString(),
      done: count("done"),
      ...(count("progressed") > 0 ? { progressed: count("progressed") } : {}),
      skipped: count("skipped"),
      failed: count("failed") + count("reverted") + count("parked") + count("unknown") + r.productErrors.length,
      ...(count("dry-run") > 0 ? { dryRun: count("dry-run") } : {}),
      gasUsed: r.results.reduce((g, x) => g + x.gasUsed, 0n),
      work: byWork,
      nextDue: next,
    };
    if (r.ok) this.log.info(fields, "tick summary");
    else this.log.warn(fields, "tick summary: some due work could not finish");
  }

  /** Stops the loop after the current tick (and wakes it if it sleeps). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Ticks until stopped (or once); the process exit code. */
  async run(opts: { once: boolean; maxTicks?: number }): Promise<number> {
    let ticks = 0;
    for (;;) {
      let report: TickReport | undefined;
      try {
        report = await this.tick();
      } catch (e) {
        const error = messageOf(e);
        this.log.error({ error }, "tick failed (the node may be unreachable); trying again at the next poll");
        this.metrics.tickEnded(false, error);
      }
      ticks++;
      if (opts.once) return report?.ok === true ? 0 : 1;
      if (this.stopping || (opts.maxTicks !== undefined && ticks >= opts.maxTicks)) return 0;
      let waitS = this.options.config.pollSeconds;
      const soonest = report?.nextDue.reduce<bigint | undefined>((m, n) => (n.at !== undefined && (m === undefined || n.at < m) ? n.at : m), undefined);
      if (report !== undefined && soonest !== undefined && soonest > report.now) waitS = Math.max(1, Math.min(waitS, Number(soonest - report.now)));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, waitS * 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.stopping) return 0;
    }
  }
}

function failureSummary(r: TickReport): string {
  const bad = r.results.filter((x) => !["done", "progressed", "skipped", "dry-run"].includes(x.outcome)).map((x) => `${x.key} ${x.outcome}${x.words ? `: ${x.words}` : ""}`);
  return [...r.productErrors.map((p) => `${p.product}: ${p.error}`), ...bad].join("; ");
}

export { sleep };

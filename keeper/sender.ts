/**
 * Sends one `TxStep` for one account, and owns that account's nonces.
 *
 * - Simulates first (`eth_estimateGas` from the keeper's address): a revert comes back decoded to its
 *   custom error in words (the project's decoder) and nothing is sent.
 * - Nonces: read once (`pending`) at start and again after any nonce error; each step takes the lowest
 *   free nonce, so several steps can be in flight; a nonce is only ever reused by a replacement of the
 *   same step (a fee bump) or, when the node refused the first broadcast, by the next step.
 * - Every broadcast of a step resends the same signed bytes (same nonce, same hash) after an RPC error,
 *   so a lost answer never becomes a second transaction. A step whose outcome is unknown (the node went
 *   away) stays attached to its work key: the next attempt of that work waits for it first.
 * - A transaction not mined within `txTimeoutSeconds` is replaced at the same nonce with fees raised by
 *   `feeBumpPercent` (EIP-1559: maxFeePerGas and maxPriorityFeePerGas both; legacy: gasPrice), never above
 *   `maxFeeGwei`; it then waits `confirmations` blocks.
 * - `dryRun`: simulates and logs what it would send; sends nothing.
 */
import { Transaction, Wallet, getAddress, type Signer } from "ethers";
import type { RpcProvider } from "../chain/client";
import { describeRevert } from "../chain/revert";
import type { Logger } from "./log";
import type { KeeperMetrics } from "./metrics";
import { Rpc, RpcUnavailable, messageOf, sleep, transientKind } from "./rpc";
import type { Product, TxStep, WorkKind } from "./work";

export interface SenderOptions {
  confirmations: number;
  txTimeoutSeconds: number;
  feeBumpPercent: number;
  maxFeeGwei: number;
  gasMarginPercent: number;
  dryRun: boolean;
  /** {ms} between two receipt polls (default 500). */
  pollMs?: number;
  /** {s} the longest one step is followed before its outcome is left unknown (default 20 x txTimeoutSeconds). */
  maxWaitSeconds?: number;
}

/** What a step is for (labels of logs and metrics, and the work it belongs to). */
export interface StepContext {
  product: Product;
  kind: WorkKind;
  key: string;
}

export type SendOutcome =
  | { status: "mined"; hash: string; nonce: number; gasUsed: bigint; fee: bigint; blockNumber: number; replacements: number }
  /** The simulation or the mined transaction reverted; `words` is the decoded custom error. */
  | { status: "reverted"; words: string; onChain: boolean; hash?: string; gasUsed?: bigint; fee?: bigint }
  | { status: "dry-run"; gasEstimate: bigint }
  /** The nonce was used by a transaction that is not this step's (another process with the same key): re-read the work. */
  | { status: "nonce-taken"; nonce: number }
  /** The node could not be reached for long enough to know; the step stays attached to its work key. */
  | { status: "unknown"; reason: string };

interface Fees {
  type: 0 | 2;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

/** One step's transaction at one nonce: every version broadcast (the original and its replacements). */
interface Attempt {
  ctx: StepContext;
  step: TxStep;
  nonce: number;
  gasLimit: bigint;
  fees: Fees;
  /** Signed versions, newest last; raw is undefined when the signer cannot sign offline. */
  versions: { hash: string; raw?: string; fees: Fees }[];
  lastBroadcastAt: number;
  startedAt: number;
  atCapWarned: boolean;
}

const GWEI = 1_000_000_000n;

const NONCE_LOW = /nonce too low|nonce has already been used|NONCE_EXPIRED|already been used|OldNonce|nonce.*(is )?lower than/i;
const KNOWN = /already known|known transaction|AlreadyKnown|transaction already imported|already in (the )?(mempool|pool)/i;
const UNDERPRICED = /underpriced|replacement fee too low|REPLACEMENT_UNDERPRICED|gas price too low|max fee per gas less than block base fee|feecap/i;

export class Sender {
  readonly address: string;
  private chainId: bigint | undefined;
  private next: number | undefined;
  private readonly inFlight = new Set<number>();
  private released: number[] = [];
  private lock: Promise<void> = Promise.resolve();
  /** Steps whose outcome is not known yet, by work key. */
  private readonly unresolved = new Map<string, Attempt>();
  private readonly pollMs: number;

  constructor(
    readonly provider: RpcProvider,
    readonly signer: Signer,
    address: string,
    readonly rpc: Rpc,
    readonly options: SenderOptions,
    readonly log: Logger,
    readonly metrics?: KeeperMetrics,
  ) {
    this.address = getAddress(address);
    this.pollMs = options.pollMs ?? 500;
  }

  static async create(provider: RpcProvider, signer: Signer, rpc: Rpc, options: SenderOptions, log: Logger, metrics?: KeeperMetrics): Promise<Sender> {
    return new Sender(provider, signer, await signer.getAddress(), rpc, options, log, metrics);
  }

  /** The keeper's account's nonce count at `tag`. */
  async nonceAt(tag: "latest" | "pending"): Promise<number> {
    return Number(BigInt(await this.rpc.call<string>("eth_getTransactionCount", [this.address, tag])));
  }

  /**
   * Waits (up to `maxSeconds`) until no transaction of this account is pending on the node: after a
   * restart, a transaction of the previous run may still be in the mempool, and its work would otherwise
   * look not done yet. Returns whether the account is clear.
   */
  async awaitOwnPending(maxSeconds: number): Promise<boolean> {
    const end = Date.now() + maxSeconds * 1000;
    let warned = false;
    for (;;) {
      const [latest, pending] = [await this.nonceAt("latest"), await this.nonceAt("pending")];
      if (pending <= latest) return true;
      if (!warned) this.log.warn({ account: this.address, pending: pending - latest }, "transactions of this account are pending from an earlier run: waiting for them before sending");
      warned = true;
      if (Date.now() > end) return false;
      await sleep(this.pollMs);
    }
  }

  /** Whether a step of this work is still in flight from an earlier attempt. */
  hasUnresolved(key: string): boolean {
    return this.unresolved.has(key);
  }

  /** Simulates, then (unless dry-run) sends and follows the step to its confirmations. */
  async send(step: TxStep, ctx: StepContext): Promise<SendOutcome> {
    const earlier = this.unresolved.get(ctx.key);
    if (earlier !== undefined) {
      this.log.info({ key: ctx.key, nonce: earlier.nonce }, "waiting for this work's earlier transaction before anything else");
      const out = await this.follow(earlier);
      if (out.status === "unknown") return out;
      // The earlier step landed (or its nonce went elsewhere): the caller re-reads the work.
      if (out.status === "mined" || out.status === "nonce-taken" || out.status === "reverted") return out;
    }

    const sim = await this.simulate(step);
    if ("reverted" in sim) return { status: "reverted", words: sim.reverted, onChain: false };
    const gasLimit = step.gasLimit ?? (sim.gas * BigInt(100 + Math.round(this.options.gasMarginPercent))) / 100n;
    if (this.options.dryRun) {
      this.log.info({ key: ctx.key, to: step.to, gasEstimate: sim.gas, data: `${step.data.slice(0, 10)}...` }, `dry run: would send "${step.label}"`);
      return { status: "dry-run", gasEstimate: sim.gas };
    }

    for (let tries = 0; tries < 4; tries++) {
      const nonce = await this.allocate();
      const attempt: Attempt = { ctx, step, nonce, gasLimit, fees: await this.fees(), versions: [], lastBroadcastAt: 0, startedAt: Date.now(), atCapWarned: false };
      let first: "sent" | "nonce-low" | "underpriced";
      try {
        first = await this.broadcastNew(attempt);
      } catch (e) {
        this.release(nonce, transientKind(e) === undefined && !(e instanceof RpcUnavailable));
        throw e;
      }
      if (first !== "sent") {
        // The node holds or has mined another transaction at this nonce: read the account again, re-simulate.
        this.log.warn({ key: ctx.key, nonce, why: first }, "nonce already in use on the node: reading the account's nonce again");
        this.inFlight.delete(nonce);
        await this.resync();
        const again = await this.simulate(step);
        if ("reverted" in again) return { status: "reverted", words: again.reverted, onChain: false };
        continue;
      }
      this.unresolved.set(ctx.key, attempt);
      return this.follow(attempt);
    }
    throw new Error(`${ctx.key}: could not find a free nonce after 4 tries (another process sends from ${this.address}?)`);
  }

  /** `eth_estimateGas` from the keeper: the gas, or the revert in words. */
  async simulate(step: TxStep): Promise<{ gas: bigint } | { reverted: string }> {
    const tx: Record<string, string> = { from: this.address, to: step.to, data: step.data };
    if (step.value !== undefined && step.value > 0n) tx.value = `0x${step.value.toString(16)}`;
    try {
      return { gas: BigInt(await this.rpc.call<string>("eth_estimateGas", [tx])) };
    } catch (e) {
      if (transientKind(e) !== undefined || e instanceof RpcUnavailable) throw e;
      const words = describeRevert(e);
      if (words !== undefined) return { reverted: words };
      if (/revert|execution reverted|CALL_EXCEPTION|invalid opcode|out of gas/i.test(`${(e as { code?: string }).code ?? ""} ${messageOf(e)}`)) return { reverted: messageOf(e) };
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // nonces

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.lock;
    let done!: () => void;
    this.lock = new Promise<void>((r) => (done = r));
    await prev;
    try {
      return await fn();
    } finally {
      done();
    }
  }

  private allocate(): Promise<number> {
    return this.exclusive(async () => {
      if (this.next === undefined) this.next = await this.nonceAt("pending");
      const reuse = this.released.sort((a, b) => a - b).shift();
      const nonce = reuse ?? this.next++;
      this.inFlight.add(nonce);
      return nonce;
    });
  }

  /** A nonce not broadcast after all: the lowest free one goes to the next step (no gap). */
  private release(nonce: number, unused: boolean): void {
    this.inFlight.delete(nonce);
    if (unused) this.released.push(nonce);
    else this.next = undefined; // unknown whether the node took it: read again
  }

  /** Reads the pending nonce again (after a nonce error); in-flight nonces stay reserved. */
  private resync(): Promise<void> {
    return this.exclusive(async () => {
      const pending = await this.nonceAt("pending");
      const top = Math.max(pending, ...[...this.inFlight].map((n) => n + 1));
      this.released = this.released.filter((n) => n >= pending && !this.inFlight.has(n));
      this.next = top;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // fees

  private get cap(): bigint {
    return BigInt(Math.round(this.options.maxFeeGwei * 1e9));
  }

  async fees(): Promise<Fees> {
    const block = await this.rpc.call<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["latest", false]);
    const cap = this.cap;
    if (block?.baseFeePerGas !== undefined && block.baseFeePerGas !== null) {
      const base = BigInt(block.baseFeePerGas);
      let tip: bigint;
      try {
        tip = BigInt(await this.rpc.call<string>("eth_maxPriorityFeePerGas", []));
      } catch (e) {
        if (transientKind(e) !== undefined || e instanceof RpcUnavailable) throw e;
        tip = GWEI;
      }
      let maxFee = 2n * base + tip;
      if (maxFee > cap) maxFee = cap;
      if (tip > maxFee) tip = maxFee;
      if (maxFee < base) this.log.warn({ baseFeeGwei: Number(base) / 1e9, maxFeeGwei: this.options.maxFeeGwei }, "the base fee is above the configured maxFeeGwei: the transaction waits until it falls");
      return { type: 2, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
    }
    let price = BigInt(await this.rpc.call<string>("eth_gasPrice", []));
    if (price > cap) price = cap;
    return { type: 0, gasPrice: price };
  }

  /** Fees raised by feeBumpPercent (rounded up), capped; undefined when the cap leaves no valid replacement. */
  bump(f: Fees): Fees | undefined {
    const per = BigInt(Math.round(this.options.feeBumpPercent * 100)); // {1e-4}
    const up = (x: bigint) => (x * (10_000n + per) + 9_999n) / 10_000n; // rounded up
    const minUp = (x: bigint) => (x * 11_000n + 9_999n) / 10_000n; // nodes ask +10% at least
    const cap = this.cap;
    if (f.type === 0) {
      const p = up(f.gasPrice!) > cap ? cap : up(f.gasPrice!);
      return p >= minUp(f.gasPrice!) && p > f.gasPrice! ? { type: 0, gasPrice: p } : undefined;
    }
    let maxFee = up(f.maxFeePerGas!);
    let tip = up(f.maxPriorityFeePerGas!);
    if (maxFee > cap) maxFee = cap;
    if (tip > maxFee) tip = maxFee;
    if (maxFee < minUp(f.maxFeePerGas!) || tip < minUp(f.maxPriorityFeePerGas!)) return undefined;
    return { type: 2, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
  }

  // ---------------------------------------------------------------------------------------------
  // broadcast

  private async sign(a: Attempt, fees: Fees): Promise<{ hash: string; raw?: string }> {
    this.chainId ??= BigInt(await this.rpc.call<string>("eth_chainId", []));
    const tx = {
      type: fees.type,
      chainId: this.chainId,
      nonce: a.nonce,
      to: a.step.to,
      data: a.step.data,
      value: a.step.value ?? 0n,
      gasLimit: a.gasLimit,
      ...(fees.type === 2 ? { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas } : { gasPrice: fees.gasPrice }),
    };
    if (this.signer instanceof Wallet || typeof (this.signer as { signingKey?: unknown }).signingKey === "object") {
      const raw = await this.signer.signTransaction({ ...tx, from: this.address });
      return { hash: Transaction.from(raw).hash!, raw };
    }
    // A signer that cannot sign offline (a node's unlocked account): it sends; the fields are fixed here.
    const sent = await this.signer.sendTransaction({ ...tx, from: this.address });
    return { hash: sent.hash };
  }

  /** Sends `raw` (retrying the same bytes on RPC errors); "known" and "nonce low" are answers, not errors. */
  private async push(raw: string, hash: string): Promise<"sent" | "nonce-low" | "underpriced"> {
    try {
      await this.rpc.call("eth_sendRawTransaction", [raw]);
      return "sent";
    } catch (e) {
      const text = `${messageOf(e)} ${(e as { error?: { message?: string } }).error?.message ?? ""} ${(e as Error).message ?? ""}`;
      if (KNOWN.test(text)) return "sent";
      if (NONCE_LOW.test(text)) {
        // An earlier broadcast of these bytes may have landed while its answer was lost.
        const mine = await this.rpc.call<unknown>("eth_getTransactionByHash", [hash]);
        return mine !== null && mine !== undefined ? "sent" : "nonce-low";
      }
      if (UNDERPRICED.test(text)) return "underpriced";
      // Hardhat's node, automining, runs the transaction at once and answers a revert as an error: the
      // transaction is in a block all the same (its receipt says status 0).
      if (describeRevert(e) !== undefined || /reverted|revert/i.test(text)) {
        const mine = await this.rpc.call<unknown>("eth_getTransactionByHash", [hash]);
        if (mine !== null && mine !== undefined) return "sent";
      }
      throw e;
    }
  }

  private async broadcastNew(a: Attempt): Promise<"sent" | "nonce-low" | "underpriced"> {
    const signed = await this.sign(a, a.fees);
    const result = signed.raw !== undefined ? await this.push(signed.raw, signed.hash) : "sent";
    if (result === "sent") {
      a.versions.push({ ...signed, fees: a.fees });
      a.lastBroadcastAt = Date.now();
      this.metrics?.txSent.inc({ product: a.ctx.product, kind: a.ctx.kind });
      this.log.info({ key: a.ctx.key, hash: signed.hash, nonce: a.nonce, gasLimit: a.gasLimit }, `sent "${a.step.label}"`);
    }
    return result;
  }

  /** After txTimeoutSeconds without a receipt: replace with higher fees, or resend the last bytes at the cap. */
  private async replace(a: Attempt): Promise<void> {
    const bumped = this.bump(a.fees);
    const last = a.versions[a.versions.length - 1]!;
    if (bumped === undefined) {
      if (!a.atCapWarned) this.log.warn({ key: a.ctx.key, nonce: a.nonce, maxFeeGwei: this.options.maxFeeGwei }, "transaction not mined and its fee is at the configured cap: resending it as it is");
      a.atCapWarned = true;
      if (last.raw !== undefined) await this.push(last.raw, last.hash);
      a.lastBroadcastAt = Date.now();
      return;
    }
    const signed = await this.sign(a, bumped);
    const result = signed.raw !== undefined ? await this.push(signed.raw, signed.hash) : "sent";
    a.lastBroadcastAt = Date.now();
    if (result !== "sent") {
      this.log.warn({ key: a.ctx.key, nonce: a.nonce, why: result }, "replacement refused by the node (an earlier version was probably mined)");
      return;
    }
    a.fees = bumped;
    a.versions.push({ ...signed, fees: bumped });
    this.metrics?.replacements.inc({ product: a.ctx.product });
    this.metrics?.txSent.inc({ product: a.ctx.product, kind: a.ctx.kind });
    const show = (f: Fees) => (f.type === 2 ? `${Number(f.maxFeePerGas) / 1e9}/${Number(f.maxPriorityFeePerGas) / 1e9} gwei` : `${Number(f.gasPrice) / 1e9} gwei`);
    this.log.warn({ key: a.ctx.key, nonce: a.nonce, hash: signed.hash, replaces: last.hash, fees: show(bumped) }, `not mined in ${this.options.txTimeoutSeconds} s: replaced with a higher fee`);
  }

  // ---------------------------------------------------------------------------------------------
  // following a step to its confirmations

  private async follow(a: Attempt): Promise<SendOutcome> {
    const deadline = a.startedAt + 1000 * (this.options.maxWaitSeconds ?? 20 * this.options.txTimeoutSeconds);
    let lastError = "";
    for (;;) {
      try {
        const out = await this.check(a);
        if (out !== undefined) {
          this.unresolved.delete(a.ctx.key);
          this.inFlight.delete(a.nonce);
          return out;
        }
        if (Date.now() - a.lastBroadcastAt >= this.options.txTimeoutSeconds * 1000) await this.replace(a);
      } catch (e) {
        if (transientKind(e) === undefined && !(e instanceof RpcUnavailable)) throw e;
        lastError = messageOf(e);
      }
      if (Date.now() > deadline) {
        this.log.error({ key: a.ctx.key, nonce: a.nonce, hashes: a.versions.map((v) => v.hash), lastError }, "the transaction's outcome is unknown (node unreachable or not mining): the work waits for it before any new step");
        return { status: "unknown", reason: lastError || "not mined before the wait limit" };
      }
      await sleep(this.pollMs);
    }
  }

  /** One look at the chain: the outcome once a version has its confirmations, else undefined. */
  private async check(a: Attempt): Promise<SendOutcome | undefined> {
    for (const v of a.versions) {
      const r = await this.rpc.call<{ status: string; blockNumber: string; blockHash: string; gasUsed: string; effectiveGasPrice?: string } | null>("eth_getTransactionReceipt", [v.hash]);
      if (r === null || r === undefined) continue;
      const mined = Number(BigInt(r.blockNumber));
      const head = Number(BigInt(await this.rpc.call<string>("eth_blockNumber", [])));
      if (head - mined + 1 < this.options.confirmations) return undefined;
      const gasUsed = BigInt(r.gasUsed);
      const fee = gasUsed * BigInt(r.effectiveGasPrice ?? v.fees.gasPrice ?? v.fees.maxFeePerGas ?? 0n);
      const replacements = a.versions.length - 1;
      if (BigInt(r.status) === 1n) {
        this.log.info({ key: a.ctx.key, hash: v.hash, block: mined, gasUsed, replacements }, `mined "${a.step.label}"`);
        return { status: "mined", hash: v.hash, nonce: a.nonce, gasUsed, fee, blockNumber: mined, replacements };
      }
      const sim = await this.simulate(a.step).catch(() => undefined);
      const words = sim !== undefined && "reverted" in sim ? sim.reverted : "the transaction reverted on chain (status 0)";
      return { status: "reverted", words, onChain: true, hash: v.hash, gasUsed, fee };
    }
    // No version mined: has the nonce gone to someone else's transaction?
    const latest = await this.nonceAt("latest");
    if (latest > a.nonce) {
      // A receipt may lag the nonce by a moment on some nodes: look once more before deciding.
      for (const v of a.versions) if ((await this.rpc.call("eth_getTransactionReceipt", [v.hash])) !== null) return undefined;
      this.log.warn({ key: a.ctx.key, nonce: a.nonce }, "the nonce was used by a transaction that is not this step's: re-reading the work");
      this.next = undefined;
      return { status: "nonce-taken", nonce: a.nonce };
    }
    return undefined;
  }
}

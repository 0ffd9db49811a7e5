/**
 * RPC calls that survive what a real endpoint does: each call has a timeout, and a transient failure
 * (a timeout, an HTTP 5xx or 429, a refused or dropped connection) is retried with exponential backoff
 * and full jitter (delay = random(0, min(maxMs, baseMs * 2^attempt))). A JSON-RPC error answer (a revert,
 * "nonce too low") is not transient: it is thrown at once for the caller to read.
 */
import type { RpcProvider } from "../chain/client";

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  timeoutMs: number;
}

export type TransientKind = "timeout" | "http-5xx" | "rate-limit" | "connection";

/** Thrown when a call did not answer within its timeout. */
export class RpcTimeout extends Error {
  override name = "RpcTimeout";
  constructor(readonly method: string, readonly ms: number) {
    super(`${method}: no answer within ${ms} ms`);
  }
}

/** Thrown when a call failed `attempts` times in a row for transient reasons. */
export class RpcUnavailable extends Error {
  override name = "RpcUnavailable";
  constructor(readonly method: string, readonly attempts: number, readonly last: unknown) {
    super(`${method}: the node did not answer after ${attempts} attempt(s): ${messageOf(last)}`);
  }
}

export function messageOf(e: unknown): string {
  const err = e as { shortMessage?: string; message?: string };
  return err?.shortMessage ?? err?.message ?? String(e);
}

function fullText(e: unknown, depth = 0): string {
  if (depth > 4 || e === null || e === undefined) return "";
  if (typeof e !== "object") return String(e);
  const o = e as Record<string, unknown>;
  const own = [o.code, o.message, o.shortMessage].filter((x) => x !== undefined).join(" ");
  const status = (o.info as { responseStatus?: string } | undefined)?.responseStatus ?? "";
  return `${own} ${status} ${fullText(o.cause, depth + 1)} ${fullText(o.error, depth + 1)} ${fullText(o.parent, depth + 1)}`;
}

/** Whether an error is worth retrying, and what kind it is (a metric label); undefined = not transient. */
export function transientKind(e: unknown): TransientKind | undefined {
  if (e instanceof RpcTimeout) return "timeout";
  const text = fullText(e);
  if (/\bTIMEOUT\b|timed? ?out|ETIMEDOUT/i.test(text)) return "timeout";
  if (/\b429\b|rate.?limit|too many requests/i.test(text)) return "rate-limit";
  if (/\b5\d\d\b.*(server|response|status|error)|server response 5\d\d|status code 5\d\d|Invalid JSON-RPC response|bad gateway|service unavailable|internal server error/i.test(text)) return "http-5xx";
  if (/ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|socket hang up|other side closed|fetch failed|network error|Cannot connect to the network|missing response|could not detect network|UND_ERR|premature close|aborted/i.test(text)) return "connection";
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The backoff before retry number `attempt` (0-based): full jitter. */
export function backoffMs(attempt: number, o: Pick<RetryOptions, "baseMs" | "maxMs">, random = Math.random): number {
  return Math.floor(random() * Math.min(o.maxMs, o.baseMs * 2 ** attempt));
}

export type RpcErrorHook = (method: string, kind: TransientKind, error: unknown) => void;

/** One place every keeper read and broadcast goes through. */
export class Rpc {
  /** Calls made (attempts included), for the benchmark's requests-per-tick. */
  calls = 0;
  constructor(
    readonly provider: RpcProvider,
    readonly options: RetryOptions,
    private readonly onError: RpcErrorHook = () => {},
  ) {}

  /** `fn` with a timeout per attempt and retries on transient errors. */
  async retry<T>(label: string, fn: () => Promise<T>, attempts = this.options.attempts, timeoutMs = this.options.timeoutMs): Promise<T> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await withTimeout(fn(), timeoutMs, label);
      } catch (e) {
        const kind = transientKind(e);
        if (kind === undefined) throw e;
        last = e;
        this.onError(label, kind, e);
        if (i + 1 < attempts) await sleep(backoffMs(i, this.options));
      }
    }
    throw new RpcUnavailable(label, attempts, last);
  }

  /** A product's read (`due`, `nextStep`: several calls): the same retries, six times one call's timeout. */
  retryRead<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.retry(label, fn, this.options.attempts, 6 * this.options.timeoutMs);
  }

  /** A raw JSON-RPC call with retries. */
  call<T = unknown>(method: string, params: unknown[] = [], attempts?: number): Promise<T> {
    return this.retry(
      method,
      () => {
        this.calls++;
        return this.provider.send(method, params) as Promise<T>;
      },
      attempts,
    );
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RpcTimeout(label, ms)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
    p.catch(() => {}); // a late failure of the abandoned call is not an unhandled rejection
  }
}

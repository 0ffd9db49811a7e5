/**
 * The keeper's Prometheus metrics (prom-client, its own registry) and the HTTP server that serves them:
 * `GET /metrics` (Prometheus text format) and `GET /health` (JSON; 200 when the last tick succeeded
 * within `maxAgeSeconds`, 503 otherwise), the conventions of OpenZeppelin's Relayer and Monitor.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly workDone: Counter<"product" | "kind">;
  readonly workFailed: Counter<"product" | "kind" | "reason">;
  readonly workSkipped: Counter<"product" | "kind">;
  readonly lastSuccess: Gauge<"product">;
  readonly gasUsed: Counter<"product" | "kind">;
  readonly feesPaid: Counter<"product" | "kind">;
  readonly lag: Gauge<"product">;
  readonly rpcErrors: Counter<"method" | "kind">;
  readonly replacements: Counter<"product">;
  readonly txSent: Counter<"product" | "kind">;
  readonly ticks: Counter<"result">;
  readonly lastTick: Gauge;

  /** Health state (not a metric): the last tick's end and whether it succeeded. */
  health = { lastTickAt: 0, lastTickOk: false, lastError: undefined as string | undefined, ticks: 0 };

  constructor(defaults = false) {
    const r = [this.registry];
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: "keeper_process_" });
    this.workDone = new Counter({ name: "keeper_work_done_total", help: "Pieces of work completed (the chain shows them done after this keeper's transactions)", labelNames: ["product", "kind"], registers: r });
    this.workFailed = new Counter({ name: "keeper_work_failures_total", help: "Pieces of work that could not finish in a tick, by reason (revert, rpc, timeout, fee-cap, error)", labelNames: ["product", "kind", "reason"], registers: r });
    this.workSkipped = new Counter({ name: "keeper_work_skipped_total", help: "Due work the chain already showed done (another keeper or party did it)", labelNames: ["product", "kind"], registers: r });
    this.lastSuccess = new Gauge({ name: "keeper_last_success_timestamp_seconds", help: "Unix time of the product's last completed piece of work", labelNames: ["product"], registers: r });
    this.gasUsed = new Counter({ name: "keeper_gas_used_total", help: "Gas used by the keeper's mined transactions", labelNames: ["product", "kind"], registers: r });
    this.feesPaid = new Counter({ name: "keeper_fees_paid_wei_total", help: "Fees paid by the keeper's mined transactions {wei}", labelNames: ["product", "kind"], registers: r });
    this.lag = new Gauge({ name: "keeper_lag_seconds", help: "Chain time minus dueAt of the product's oldest pending work (0 when nothing is pending)", labelNames: ["product"], registers: r });
    this.rpcErrors = new Counter({ name: "keeper_rpc_errors_total", help: "RPC calls that failed (each retry counts), by method and kind (timeout, http-5xx, connection, other)", labelNames: ["method", "kind"], registers: r });
    this.replacements = new Counter({ name: "keeper_tx_replacements_total", help: "Transactions replaced at the same nonce with a higher fee", labelNames: ["product"], registers: r });
    this.txSent = new Counter({ name: "keeper_tx_sent_total", help: "Transactions broadcast (replacements included)", labelNames: ["product", "kind"], registers: r });
    this.ticks = new Counter({ name: "keeper_ticks_total", help: "Loop passes, by result (ok, failed)", labelNames: ["result"], registers: r });
    this.lastTick = new Gauge({ name: "keeper_last_tick_timestamp_seconds", help: "Unix time (wall clock) the last tick ended", registers: r });
  }

  tickEnded(ok: boolean, error?: string): void {
    const now = Date.now() / 1000;
    this.health = { lastTickAt: now, lastTickOk: ok, lastError: error, ticks: this.health.ticks + 1 };
    this.ticks.inc({ result: ok ? "ok" : "failed" });
    this.lastTick.set(now);
  }

  /** /health's answer: healthy when the last tick succeeded within `maxAgeSeconds`. */
  healthReport(maxAgeSeconds: number, nowS = Date.now() / 1000): { status: number; body: Record<string, unknown> } {
    const h = this.health;
    const age = h.lastTickAt === 0 ? undefined : nowS - h.lastTickAt;
    const ok = h.lastTickOk && age !== undefined && age <= maxAgeSeconds;
    const why = h.lastTickAt === 0 ? "no tick has finished yet" : !h.lastTickOk ? `the last tick failed: ${h.lastError ?? "unknown"}` : ok ? undefined : `the last tick ended ${Math.round(age!)} s ago (more than ${maxAgeSeconds} s)`;
    return {
      status: ok ? 200 : 503,
      body: { status: ok ? "ok" : "unhealthy", lastTickAt: h.lastTickAt === 0 ? null : new Date(h.lastTickAt * 1000).toISOString(), lastTickOk: h.lastTickOk, ticks: h.ticks, maxAgeSeconds, ...(why ? { reason: why } : {}) },
    };
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics and /health on 127.0.0.1:`port` (0 = a free port; the chosen port is returned). */
export async function serveMetrics(metrics: KeeperMetrics, port: number, maxAgeSeconds: () => number, host = "127.0.0.1"): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
    } else if (url === "/metrics") {
      metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text))
        .catch((e: Error) => res.writeHead(500).end(e.message));
    } else if (url === "/health") {
      const { status, body } = metrics.healthReport(maxAgeSeconds());
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics or /health\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

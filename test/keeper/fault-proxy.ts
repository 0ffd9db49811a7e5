/**
 * A small JSON-RPC proxy between the keeper and a node, with faults switched on and off by the test:
 * - `drop`: the next N requests reach the node but their answers are lost (the socket is destroyed);
 * - `delay`: the next N answers come `ms` late (past the keeper's timeout);
 * - `error5xx`: the next N requests are answered 503 without reaching the node;
 * - `down()` / `up()`: the port refuses connections (the server is closed), then listens again.
 * Faults can target one JSON-RPC method (e.g. only `eth_sendRawTransaction`). It counts requests by
 * method (the entries of a batch one by one).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FaultKind = "drop" | "delay" | "error5xx";

interface Fault {
  kind: FaultKind;
  left: number;
  method?: string;
  ms?: number;
}

export class FaultProxy {
  readonly counts = new Map<string, number>();
  private faults: Fault[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  faultsApplied = 0;

  constructor(readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (on `port`, or a free one the first time). */
  async up(port = this.port): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Refuses connections until `up()`: open sockets are destroyed, the port is closed. */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    if (s !== undefined) await new Promise<void>((r) => s.close(() => r()));
  }

  close(): Promise<void> {
    return this.down();
  }

  /** Arms a fault for the next `times` matching requests. */
  inject(kind: FaultKind, times: number, opts: { method?: string; ms?: number } = {}): void {
    this.faults.push({ kind, left: times, ...opts });
  }

  clearFaults(): void {
    this.faults = [];
  }

  resetCounts(): void {
    this.counts.clear();
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  private take(methods: string[]): Fault | undefined {
    const f = this.faults.find((x) => x.left > 0 && (x.method === undefined || methods.includes(x.method)));
    if (f !== undefined) {
      f.left--;
      this.faultsApplied++;
    }
    return f;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let methods: string[] = [];
    try {
      const parsed = JSON.parse(body.toString()) as { method?: string } | { method?: string }[];
      methods = (Array.isArray(parsed) ? parsed : [parsed]).map((p) => String(p.method));
    } catch {
      methods = ["(invalid)"];
    }
    for (const m of methods) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    const fault = this.take(methods);
    if (fault?.kind === "error5xx") {
      res.writeHead(503, { "content-type": "text/plain" }).end("service unavailable (fault proxy)");
      return;
    }
    let upstream: Response;
    try {
      upstream = await fetch(this.target, { method: "POST", headers: { "content-type": "application/json" }, body });
    } catch {
      res.socket?.destroy();
      return;
    }
    const text = await upstream.text();
    if (fault?.kind === "drop") {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms ?? 5_000));
    if (res.destroyed || res.socket?.destroyed) return;
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" }).end(text);
  }
}

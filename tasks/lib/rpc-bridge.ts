/**
 * Serves an EIP-1193 provider (the in-process Hardhat network) as an HTTP JSON-RPC endpoint on
 * 127.0.0.1, counting requests by method (each entry of a batch counts). The keeper then talks to the
 * in-process chain exactly as to a remote node, through its own RPC client, and a benchmark counts what
 * an idle tick costs in requests.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface RpcBridge {
  url: string;
  counts: Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

interface Call {
  id?: unknown;
  method: string;
  params?: unknown[];
}

async function answer(provider: Eip1193, call: Call): Promise<Record<string, unknown>> {
  try {
    const result = await provider.request({ method: call.method, params: call.params ?? [] });
    return { jsonrpc: "2.0", id: call.id ?? null, result: result ?? null };
  } catch (e) {
    const err = e as { code?: number; message?: string; data?: unknown };
    return { jsonrpc: "2.0", id: call.id ?? null, error: { code: typeof err.code === "number" ? err.code : -32603, message: err.message ?? String(e), ...(err.data !== undefined ? { data: err.data } : {}) } };
  }
}

export async function serveRpc(provider: Eip1193): Promise<RpcBridge> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        let body: Call | Call[];
        try {
          body = JSON.parse(Buffer.concat(chunks).toString()) as Call | Call[];
        } catch {
          res.writeHead(400).end();
          return;
        }
        const calls = Array.isArray(body) ? body : [body];
        for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
        // One at a time, in order: the in-process chain is one state machine.
        const out: Record<string, unknown>[] = [];
        for (const c of calls) out.push(await answer(provider, c));
        const text = JSON.stringify(Array.isArray(body) ? out : out[0], (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
        res.writeHead(200, { "content-type": "application/json" }).end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

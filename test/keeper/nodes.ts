/**
 * Real nodes for the keeper's tests: `hardhat node` and anvil (two independent implementations), each
 * started here on a free port in its own process group, awaited until it answers, and stopped by PID
 * (the whole group: no orphan survives a test run). anvil can dump its state on exit and load it again,
 * so a test can stop a node mid-run and restart it on the same port with the chain it had.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type NodeKind = "hardhat" | "anvil";
export const NODE_KINDS: readonly NodeKind[] = ["hardhat", "anvil"];

const ROOT = path.resolve(__dirname, "../..");
const START_TIMEOUT_MS = 60_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function answers(url: string): Promise<boolean> {
  try {
    await rpc(url, "eth_chainId");
    return true;
  } catch {
    return false;
  }
}

export interface RunningNode {
  kind: NodeKind;
  port: number;
  url: string;
  pid: number;
  /** Stops the node (SIGTERM to its process group, SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** anvil only: stops it, then starts it again on the same port with the state it had. */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * anvil's native binary from its per-platform npm package (the `npx anvil` wrapper is a Node process that
 * does not pass SIGTERM on, so anvil would not dump its state on exit); the wrapper if the package is absent.
 */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  try {
    return path.join(path.dirname(require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`, { paths: [ROOT] })), "bin", "anvil");
  } catch {
    return path.join(ROOT, "node_modules", ".bin", "anvil");
  }
}

function launch(kind: NodeKind, port: number, stateFile: string | undefined, load: boolean, extra: readonly string[] = []): ChildProcess {
  const bin = kind === "hardhat" ? path.join(ROOT, "node_modules", ".bin", "hardhat") : anvilBinary();
  const args =
    kind === "hardhat"
      ? ["node", "--hostname", "127.0.0.1", "--port", String(port)]
      : ["--host", "127.0.0.1", "--port", String(port), "--silent", ...extra, ...(stateFile ? ["--dump-state", stateFile, ...(load && fs.existsSync(stateFile) ? ["--load-state", stateFile] : [])] : [])];
  const child = spawn(bin, args, { cwd: ROOT, env: { ...process.env, CI: "true" }, stdio: ["ignore", "ignore", "pipe"], detached: true });
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

async function waitUp(kind: NodeKind, url: string, child: ChildProcess): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${kind} node exited before answering on ${url}:\n${stderr}`);
    if (Date.now() > deadline) {
      await kill(child);
      throw new Error(`${kind} node did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts a node of `kind` on a free port and waits until it answers; `extra`: more arguments (anvil's `--fork-url URL`). */
export async function startNode(kind: NodeKind, extra: readonly string[] = []): Promise<RunningNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stateFile = kind === "anvil" && extra.length === 0 ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keeper-anvil-")), "state.json") : undefined;
  let child = launch(kind, port, stateFile, false, extra);
  await waitUp(kind, url, child);
  const node: RunningNode = {
    kind,
    port,
    url,
    get pid() {
      return child.pid!;
    },
    stop: () => kill(child),
    async restart() {
      if (kind !== "anvil") throw new Error("restart with state: anvil only (hardhat node keeps no state across runs)");
      await kill(child);
      child = launch(kind, port, stateFile, true);
      await waitUp(kind, url, child);
    },
  };
  return node;
}

/** Every node this process started and has not stopped (for an `after` hook and the exit handler). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map((c) => kill(c)));
}

process.once("exit", () => {
  for (const c of running) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

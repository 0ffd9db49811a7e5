/**
 * What every product module shares: chain time, key references, the UTC calendar of the monthly
 * schedule (METHODOLOGY section 1) and the bridge to the chain operations still in `tasks/lib`.
 */
import { Wallet, type Signer } from "ethers";
import type { Client } from "../../chain/client";
import { useNamedEnv } from "../../src/env";

export const DAY = 86_400n;

/** {unix s} the latest block's timestamp: "now" for every decision (never the wall clock). */
export async function chainNow(client: Client): Promise<bigint> {
  const block = await client.provider.getBlock("latest");
  if (block === null) throw new Error(`the node of "${client.network}" returned no latest block`);
  return BigInt(block.timestamp);
}

/**
 * The signers named by `refs` ("env:NAME" or "local:N"), resolved once. A missing variable, a bad key
 * or a local account on a live network is an error naming the reference.
 */
export async function resolveKeys(client: Client, refs: readonly string[], what: string): Promise<Signer[]> {
  const out: Signer[] = [];
  for (const ref of refs) {
    if (ref.startsWith("env:")) {
      const name = ref.slice(4);
      const key = useNamedEnv(name);
      if (key === undefined) throw new Error(`${what}: the environment variable ${name} (${ref}) is not set`);
      try {
        out.push(new Wallet(key, client.provider));
      } catch {
        throw new Error(`${what}: ${name} is not a private key (0x followed by 64 hex digits)`);
      }
    } else {
      if (!client.local) throw new Error(`${what}: "${ref}" names a local account, allowed only on a development chain (not "${client.network}")`);
      const i = Number(ref.slice(6));
      const all = await client.signers();
      if (all[i] === undefined) throw new Error(`${what}: "${ref}": the client has ${all.length} accounts`);
      out.push(all[i]!);
    }
  }
  return out;
}

/** Lazily resolved signers: resolved at the first step that signs, so an idle keeper needs no key. */
export function lazyKeys(client: Client, refs: readonly string[], what: string): () => Promise<Signer[]> {
  let cached: Promise<Signer[]> | undefined;
  return () => (cached ??= resolveKeys(client, refs, what));
}

// ---------------------------------------------------------------------------------------------
// The monthly schedule (UTC)
// ---------------------------------------------------------------------------------------------

/** {unix s} 00:00 UTC of the first day of the month containing `ts`. */
export function monthStart(ts: bigint): bigint {
  const d = new Date(Number(ts) * 1000);
  return BigInt(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000);
}

/** {unix s} 00:00 UTC of the first day of the month after the one containing `ts`. */
export function nextMonthStart(ts: bigint): bigint {
  const d = new Date(Number(ts) * 1000);
  return BigInt(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000);
}

/** "YYYY-MM" of the month containing `ts`. */
export function monthKey(ts: bigint): string {
  return new Date(Number(ts) * 1000).toISOString().slice(0, 7);
}

/** "YYYY-MM-DD" (UTC) of `ts`. */
export function isoDay(ts: bigint): string {
  return new Date(Number(ts) * 1000).toISOString().slice(0, 10);
}

/**
 * The determination date of the weights effective in the month containing `ts`: the last calendar day
 * of the month before (METHODOLOGY section 1: data as of that day's close, effective the 1st).
 */
export function determinationDate(ts: bigint): string {
  return isoDay(monthStart(ts) - DAY);
}

/**
 * The client without its accounts, for the chain layer's read-and-plan functions (planRebalance,
 * connectSanx, sanxWeightReport): a plan's estimateGas of a batch, which needs the keeper's account, is
 * left out (the sender estimates each step before sending, after the keeper has cut the batch to the
 * round's sell budgets).
 */
export function readOnly(client: Client): Client {
  return { network: client.network, provider: client.provider, local: client.local, signers: async () => [] };
}

/** The first line of an error's message, for logs. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

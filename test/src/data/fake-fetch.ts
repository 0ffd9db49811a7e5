import { readFileSync } from "node:fs";
import path from "node:path";
import type { FetchLike } from "../../../src/data/http";

export const FIXTURES = path.resolve(__dirname, "../../fixtures");

/** A recorded response: a fixture file (relative to test/fixtures) and a status. */
export interface Recorded {
  file: string;
  status?: number;
  headers?: Record<string, string>;
}

/**
 * A fetch that answers from fixtures: `route(url)` picks the recording for each request, and every
 * request is logged (URL and headers) so tests can check what the client asked for.
 */
export function fakeFetch(route: (url: URL) => Recorded | undefined) {
  const calls: { url: URL; headers: Record<string, string> }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    calls.push({ url: u, headers: init?.headers ?? {} });
    const rec = route(u);
    if (rec === undefined) throw new Error(`fake fetch: no recording for ${url}`);
    const status = rec.status ?? 200;
    const text = readFileSync(path.join(FIXTURES, rec.file), "utf8");
    const headers = new Map(Object.entries(rec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { ok: status >= 200 && status < 300, status, headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null }, text: async () => text };
  };
  return { fetch, calls };
}

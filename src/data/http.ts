import { SsiError } from "../lib/errors";

/** The part of the WHATWG `fetch` the clients use; tests inject a fake that serves recorded responses. */
export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string> },
) => Promise<{ ok: boolean; status: number; statusText?: string; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** A public data API answered with an error, a rate limit, or something that is not the documented shape. */
export class ApiError extends SsiError {
  override readonly name = "ApiError";
  constructor(
    message: string,
    /** HTTP status, when the error came from one */
    readonly status?: number,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** The global fetch, typed as `FetchLike` (Node 18+). */
export function defaultFetch(): FetchLike {
  if (typeof globalThis.fetch !== "function") throw new ApiError("no global fetch in this Node.js; pass a fetch function");
  return globalThis.fetch as unknown as FetchLike;
}

/**
 * GETs `url` and parses JSON. HTTP 429 becomes an ApiError saying it was rate limited (with
 * Retry-After when sent); any other non-2xx an ApiError with the status and the API's own message.
 * @param api the API's name for messages ("CoinGecko")
 * @param errorMessage extracts the API's error text from a parsed error body, when it has one
 */
export async function getJson(
  fetchFn: FetchLike,
  api: string,
  url: string,
  headers: Record<string, string>,
  errorMessage: (body: unknown) => string | undefined,
): Promise<unknown> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(url, { headers: { accept: "application/json", ...headers } });
  } catch (e) {
    throw new ApiError(`${api}: request to ${redact(url)} failed: ${(e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  let parsed = true;
  try {
    body = JSON.parse(text);
  } catch {
    parsed = false;
  }
  if (!res.ok) {
    const detail = (parsed ? errorMessage(body) : undefined) ?? text.slice(0, 200);
    if (res.status === 429) {
      const retry = res.headers.get("retry-after");
      throw new ApiError(
        `${api}: rate limited (HTTP 429) on ${redact(url)}${retry ? `; retry after ${retry} s` : ""}: ${detail}`,
        429,
        "wait and retry, fetch fewer pages, or use an API key with a higher limit",
      );
    }
    throw new ApiError(`${api}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""} on ${redact(url)}: ${detail}`, res.status);
  }
  if (!parsed) throw new ApiError(`${api}: ${redact(url)} did not return JSON: ${text.slice(0, 200)}`);
  return body;
}

/** The URL with any `api_key` query value hidden, for messages. */
function redact(url: string): string {
  return url.replace(/([?&]api_key=)[^&]*/i, "$1***");
}

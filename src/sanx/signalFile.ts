/**
 * The file `sanx:signals` writes and `sanx:push-signals` relays: signed SANX signals with the
 * EIP-712 domain they were signed under. Integers as decimal strings. Pure: no ethers import.
 */
import { InputError } from "../lib/errors";
import { zoneFromCode, type SignalStruct, type SignalZone } from "./signalReport";

export interface SignalDomain {
  readonly name: string;
  readonly version: string;
  readonly chainId: bigint;
  readonly verifyingContract: string;
}

/** One signed signal, with the symbol and date for people reading the file. */
export interface SignedSignal {
  readonly symbol: string;
  /** The signal's day, YYYY-MM-DD. */
  readonly date: string;
  readonly zone: SignalZone;
  readonly signal: SignalStruct;
  /** In ascending signer order, as the oracle requires. */
  readonly signatures: string[];
}

export interface SignalFile {
  readonly domain: SignalDomain;
  /** Chain time {unix s} when the file was signed. */
  readonly signedAt: bigint;
  readonly signals: SignedSignal[];
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

export function signalFileToJson(f: SignalFile): unknown {
  return {
    _comment: "SANX signed MVRV signals (EIP-712 Signal); relay with: npx hardhat sanx:push-signals --file FILE",
    domain: { ...f.domain, chainId: f.domain.chainId.toString() },
    signedAt: f.signedAt.toString(),
    signals: f.signals.map((s) => ({
      symbol: s.symbol,
      date: s.date,
      zone: s.zone,
      signal: {
        asset: s.signal.asset,
        zone: s.signal.zone.toString(),
        day: s.signal.day.toString(),
        mvrv: s.signal.mvrv.toString(),
        threshold: s.signal.threshold.toString(),
        expiresAt: s.signal.expiresAt.toString(),
      },
      signatures: s.signatures,
    })),
  };
}

/**
 * Validates a parsed signal file.
 * @throws InputError naming the field that is wrong
 */
export function parseSignalFile(json: unknown, source: string): SignalFile {
  const obj = (x: unknown, where: string): Record<string, unknown> => {
    if (typeof x !== "object" || x === null || Array.isArray(x)) throw new InputError(`${source}: ${where} must be an object`);
    return x as Record<string, unknown>;
  };
  const str = (x: unknown, where: string): string => {
    if (typeof x !== "string" || x === "") throw new InputError(`${source}: ${where} must be a non-empty string`);
    return x;
  };
  const uint = (x: unknown, where: string): bigint => {
    if (typeof x !== "string" || !/^\d+$/.test(x)) throw new InputError(`${source}: ${where} must be a decimal integer string, got ${JSON.stringify(x)}`);
    return BigInt(x);
  };
  const addr = (x: unknown, where: string): string => {
    if (typeof x !== "string" || !ADDRESS.test(x)) throw new InputError(`${source}: ${where} must be an address, got ${JSON.stringify(x)}`);
    return x;
  };
  const root = obj(json, "the file");
  const d = obj(root.domain, "domain");
  const domain: SignalDomain = {
    name: str(d.name, "domain.name"),
    version: str(d.version, "domain.version"),
    chainId: uint(d.chainId, "domain.chainId"),
    verifyingContract: addr(d.verifyingContract, "domain.verifyingContract"),
  };
  if (!Array.isArray(root.signals)) throw new InputError(`${source}: signals must be an array`);
  const signals = root.signals.map((raw, i): SignedSignal => {
    const at = `signals[${i}]`;
    const s = obj(raw, at);
    const g = obj(s.signal, `${at}.signal`);
    const signal: SignalStruct = {
      asset: addr(g.asset, `${at}.signal.asset`),
      zone: uint(g.zone, `${at}.signal.zone`),
      day: uint(g.day, `${at}.signal.day`),
      mvrv: uint(g.mvrv, `${at}.signal.mvrv`),
      threshold: uint(g.threshold, `${at}.signal.threshold`),
      expiresAt: uint(g.expiresAt, `${at}.signal.expiresAt`),
    };
    let zone: SignalZone;
    try {
      zone = zoneFromCode(signal.zone);
    } catch {
      throw new InputError(`${source}: ${at}.signal.zone must be 1 (OPPORTUNITY) or 2 (DANGER), got ${signal.zone}`);
    }
    if (s.zone !== zone) throw new InputError(`${source}: ${at}.zone ${JSON.stringify(s.zone)} does not match signal.zone ${signal.zone} (${zone})`);
    if (!Array.isArray(s.signatures) || s.signatures.length === 0) throw new InputError(`${source}: ${at}.signatures must be a non-empty array`);
    const signatures = s.signatures.map((x, j) => {
      if (typeof x !== "string" || !SIGNATURE.test(x)) throw new InputError(`${source}: ${at}.signatures[${j}] must be a 65-byte hex signature`);
      return x;
    });
    return { symbol: str(s.symbol, `${at}.symbol`), date: str(s.date, `${at}.date`), zone, signal, signatures };
  });
  return { domain, signedAt: uint(root.signedAt, "signedAt"), signals };
}

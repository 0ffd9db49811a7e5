/**
 * Weight reports (WeightOracle): the EIP-712 types, the report file format of
 * `ssi:push-weights --out/--report`, and an off-chain check of the signatures against the signer set.
 */
import { getAddress, isAddress, isHexString, verifyTypedData, type Signer, type TypedDataDomain } from "ethers";
import { InputError } from "../src/lib/errors";
import { signQuorum } from "./quorum";

/** Must match `WeightOracle.WEIGHT_REPORT_TYPEHASH`. */
export const WEIGHT_REPORT_TYPES = {
  WeightReport: [
    { name: "index", type: "address" },
    { name: "round", type: "uint64" },
    { name: "validAfter", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
    { name: "constituents", type: "address[]" },
    { name: "weights", type: "uint256[]" },
  ],
};

export interface WeightReport {
  index: string;
  round: bigint;
  validAfter: bigint; // {unix s}
  expiresAt: bigint; // {unix s}
  constituents: string[];
  weights: bigint[]; // {WAD}, sum 1e18
}

/** A report with its signatures (ascending signer order) and the domain it was signed under. */
export interface SignedReport {
  report: WeightReport;
  signatures: string[];
  domain: { name: string; version: string; chainId: bigint; verifyingContract: string };
  /** For people reading the file: the symbols in constituent order. */
  symbols?: string[];
}

export async function signReport(signers: readonly Signer[], domain: SignedReport["domain"], report: WeightReport): Promise<string[]> {
  return signQuorum(signers, domain as TypedDataDomain, WEIGHT_REPORT_TYPES, { ...report });
}

/** The JSON form: integers as decimal strings. */
export function signedReportToJson(s: SignedReport): unknown {
  return {
    _comment: "SSI weight report (EIP-712 WeightReport), relay with: npx hardhat ssi:push-weights --index NAME --report FILE",
    domain: { ...s.domain, chainId: s.domain.chainId.toString() },
    report: {
      index: s.report.index,
      round: s.report.round.toString(),
      validAfter: s.report.validAfter.toString(),
      expiresAt: s.report.expiresAt.toString(),
      constituents: s.report.constituents,
      weights: s.report.weights.map(String),
    },
    signatures: s.signatures,
    ...(s.symbols ? { symbols: s.symbols } : {}),
  };
}

/**
 * Validates a parsed report file.
 * @throws InputError naming the field that is wrong
 */
export function parseSignedReport(json: unknown, source: string): SignedReport {
  const obj = (x: unknown, where: string): Record<string, unknown> => {
    if (typeof x !== "object" || x === null || Array.isArray(x)) throw new InputError(`${source}: ${where} must be an object`);
    return x as Record<string, unknown>;
  };
  const uint = (x: unknown, where: string): bigint => {
    if (typeof x !== "string" || !/^\d+$/.test(x)) throw new InputError(`${source}: ${where} must be a decimal integer string, got ${JSON.stringify(x)}`);
    return BigInt(x);
  };
  const addr = (x: unknown, where: string): string => {
    if (typeof x !== "string" || !isAddress(x)) throw new InputError(`${source}: ${where} must be an address, got ${JSON.stringify(x)}`);
    return getAddress(x);
  };
  const arr = (x: unknown, where: string): unknown[] => {
    if (!Array.isArray(x)) throw new InputError(`${source}: ${where} must be an array`);
    return x;
  };
  const top = obj(json, "the file");
  const r = obj(top.report, "report");
  const d = obj(top.domain, "domain");
  const constituents = arr(r.constituents, "report.constituents").map((c, i) => addr(c, `report.constituents[${i}]`));
  const weights = arr(r.weights, "report.weights").map((w, i) => uint(w, `report.weights[${i}]`));
  if (constituents.length !== weights.length) {
    throw new InputError(`${source}: report.constituents (${constituents.length}) and report.weights (${weights.length}) differ in length`);
  }
  const signatures = arr(top.signatures, "signatures").map((s, i) => {
    if (typeof s !== "string" || !isHexString(s, 65)) throw new InputError(`${source}: signatures[${i}] must be a 65-byte hex signature`);
    return s;
  });
  if (typeof d.name !== "string" || typeof d.version !== "string") throw new InputError(`${source}: domain.name and domain.version must be strings`);
  return {
    report: {
      index: addr(r.index, "report.index"),
      round: uint(r.round, "report.round"),
      validAfter: uint(r.validAfter, "report.validAfter"),
      expiresAt: uint(r.expiresAt, "report.expiresAt"),
      constituents,
      weights,
    },
    signatures,
    domain: { name: d.name, version: d.version, chainId: uint(d.chainId, "domain.chainId"), verifyingContract: addr(d.verifyingContract, "domain.verifyingContract") },
  };
}

/** The address that signed `signature` over `report` under `domain`. */
export function recoverReportSigner(domain: SignedReport["domain"], report: WeightReport, signature: string): string {
  return verifyTypedData(domain as TypedDataDomain, WEIGHT_REPORT_TYPES, { ...report }, signature);
}

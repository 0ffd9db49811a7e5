import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { TypedDataEncoder, getAddress, recoverAddress, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";
import { InputError } from "../src/lib/errors";

/**
 * Signs one EIP-712 value with each signer and returns the signatures in the order
 * `QuorumVerifier._verifyQuorum` requires: strictly ascending signer address.
 * Duplicate signers are a programming error and throw here, before anything is sent.
 */
export async function signQuorum(
  signers: readonly Signer[],
  domain: TypedDataDomain,
  types: Record<string, TypedDataField[]>,
  value: Record<string, unknown>,
): Promise<string[]> {
  const signed = await Promise.all(
    signers.map(async (s) => ({ address: BigInt(await s.getAddress()), signature: await s.signTypedData(domain, types, value) })),
  );
  signed.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (let i = 1; i < signed.length; i++) {
    if (signed[i]!.address === signed[i - 1]!.address) throw new Error(`signQuorum: signer 0x${signed[i]!.address.toString(16)} appears twice`);
  }
  return signed.map((s) => s.signature);
}

/** The EIP-712 domain of a `QuorumVerifier` deployment, read from the chain. */
export async function quorumDomain(
  contract: { eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]> },
): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await contract.eip712Domain();
  return { name, version, chainId, verifyingContract };
}

// ---------------------------------------------------------------------------------------------
// Issue 13: check the domain before signing; one key per signer; signature files merged by a relay
// ---------------------------------------------------------------------------------------------

/** The report kinds, each with its own EIP-712 domain name and (optionally) its own signer key. */
export type ReportKind = "weights" | "signals" | "nav";

/** The domain name and version each kind's contract must report (the contracts' constants). */
export const EXPECTED_DOMAIN: Readonly<Record<ReportKind, { name: string; version: string }>> = {
  weights: { name: "SSI Weight Oracle", version: "1" },
  signals: { name: "SANX SignalOracle", version: "1" },
  nav: { name: "USSI Vault", version: "1" },
};

/** A domain every field of which was checked against what the signer expects. */
export interface CheckedDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** A domain mismatch: the tool refuses to sign. */
export class DomainMismatchError extends Error {
  override name = "DomainMismatchError";
}

/**
 * Reads `contract.eip712Domain()` and refuses to go on unless the chain id equals the connected
 * chain's, the verifying contract equals the recorded address, and name and version equal the
 * constants of `kind`. Never trust the contract's own answer about where a signature will be valid.
 */
export async function checkedDomain(
  contract: { eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]> },
  expected: { kind: ReportKind; chainId: bigint; verifyingContract: string },
): Promise<CheckedDomain> {
  const [, name, version, chainId, verifyingContract] = await contract.eip712Domain();
  const want = EXPECTED_DOMAIN[expected.kind];
  const problems: string[] = [];
  if (chainId !== expected.chainId) problems.push(`chain id ${chainId}, but the connected chain is ${expected.chainId}`);
  if (verifyingContract.toLowerCase() !== expected.verifyingContract.toLowerCase()) {
    problems.push(`verifying contract ${verifyingContract}, but the recorded address is ${expected.verifyingContract}`);
  }
  if (name !== want.name) problems.push(`name "${name}", expected "${want.name}"`);
  if (version !== want.version) problems.push(`version "${version}", expected "${want.version}"`);
  if (problems.length > 0) {
    throw new DomainMismatchError(`the contract at ${expected.verifyingContract} reports an EIP-712 domain that is not this deployment's (${problems.join("; ")}): refusing to sign`);
  }
  return { name, version, chainId, verifyingContract: expected.verifyingContract };
}

/** One line per field, for the signer to read before signing. */
export function describeDomain(d: CheckedDomain): string {
  return `EIP-712 domain: name "${d.name}", version "${d.version}", chainId ${d.chainId}, verifyingContract ${d.verifyingContract}`;
}

/**
 * The signer key of one report kind, from the environment: `<KIND>_SIGNER_KEY` (WEIGHTS_, SIGNALS_,
 * NAV_), else `ORACLE_SIGNER_KEY`: ONE private key, the signer's own. Undefined when neither is set.
 */
export function signerKeyFor(kind: ReportKind, env: (name: "WEIGHTS_SIGNER_KEY" | "SIGNALS_SIGNER_KEY" | "NAV_SIGNER_KEY" | "ORACLE_SIGNER_KEY") => string | undefined): { key: string; from: string } | undefined {
  const own = ({ weights: "WEIGHTS_SIGNER_KEY", signals: "SIGNALS_SIGNER_KEY", nav: "NAV_SIGNER_KEY" } as const)[kind];
  const k = env(own);
  if (k !== undefined) return { key: k, from: own };
  const shared = env("ORACLE_SIGNER_KEY");
  return shared === undefined ? undefined : { key: shared, from: "ORACLE_SIGNER_KEY" };
}

/**
 * A signature file: one signer's signature over one report, with the report and the domain, so a relay
 * can merge files from several machines and check each on its own. Integers are decimal strings.
 */
export interface SignatureFile {
  kind: ReportKind;
  domain: { name: string; version: string; chainId: string; verifyingContract: string };
  /** The EIP-712 digest signed (hex). */
  digest: string;
  /** The report's fields as JSON (bigints as decimal strings). */
  report: Record<string, unknown>;
  signer: string;
  signature: string;
  /** The EIP-712 primary type signed (e.g. `NavReport` or `NavStep`: one kind may have several). */
  primaryType?: string;
  /** What the report is about, for the people who read the file (e.g. a signal's symbol and date); never signed. */
  about?: Record<string, string>;
}

/** Signs `value` with ONE signer under a checked domain and returns the signature file's content. */
export async function signToFile(
  signer: Signer,
  kind: ReportKind,
  domain: CheckedDomain,
  types: Record<string, TypedDataField[]>,
  value: Record<string, unknown>,
  about?: Record<string, string>,
): Promise<SignatureFile> {
  const signature = await signer.signTypedData(domain, types, value);
  return {
    primaryType: TypedDataEncoder.getPrimaryType(types),
    ...(about !== undefined ? { about } : {}),
    kind,
    domain: { ...domain, chainId: domain.chainId.toString() },
    digest: TypedDataEncoder.hash(domain, types, value),
    report: JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))),
    signer: getAddress(await signer.getAddress()),
    signature,
  };
}

/**
 * Merges signature files for one report: every file must be of `kind`, under `domain`, over the same
 * digest as `digest` (the report being relayed), and each signature must recover to the file's signer.
 * Duplicates of one signer collapse. Returns the signatures in ascending signer order (the contracts'
 * rule) and the signers.
 * @throws InputError naming the file that does not fit
 */
export function mergeSignatureFiles(
  files: readonly { source: string; file: SignatureFile }[],
  expected: { kind: ReportKind; domain: CheckedDomain; digest: string },
): { signers: string[]; signatures: string[] } {
  const bySigner = new Map<string, string>();
  for (const { source, file } of files) {
    checkFileDomain(source, file, expected.kind, expected.domain);
    if (file.digest !== expected.digest) throw new InputError(`${source}: signs another report (digest ${file.digest}, the report relayed has ${expected.digest})`);
    let recovered: string;
    try {
      recovered = recoverAddress(expected.digest, file.signature);
    } catch {
      throw new InputError(`${source}: the signature is malformed`);
    }
    if (recovered.toLowerCase() !== file.signer.toLowerCase()) throw new InputError(`${source}: the signature recovers to ${recovered}, not the file's signer ${file.signer}`);
    bySigner.set(getAddress(recovered), file.signature);
  }
  const signers = [...bySigner.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { signers, signatures: signers.map((s) => bySigner.get(s)!) };
}

/** Refuses a file of another kind or signed under another domain than `domain`. */
function checkFileDomain(source: string, file: SignatureFile, kind: ReportKind, domain: CheckedDomain): void {
  if (file.kind !== kind) throw new InputError(`${source}: a ${file.kind} signature, not a ${kind} one`);
  const d = file.domain;
  if (d.name !== domain.name || d.version !== domain.version || BigInt(d.chainId) !== domain.chainId || d.verifyingContract.toLowerCase() !== domain.verifyingContract.toLowerCase()) {
    throw new InputError(`${source}: signed under another domain (${d.name} v${d.version}, chain ${d.chainId}, ${d.verifyingContract}), not this deployment's`);
  }
}

/**
 * Reads signature files from a list of paths, each a file or a directory (its `*.json` files). A file may
 * also be a bundle `{ "files": [SignatureFile, ...] }`: one signer's signatures over several reports
 * (the SANX signals of one run); each entry is read as its own signature file (`FILE#n`).
 */
export function readSignatureFiles(paths: readonly string[]): { source: string; file: SignatureFile }[] {
  const out: { source: string; file: SignatureFile }[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new InputError(`${p}: no such file or directory`);
    const list = statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(p, f)) : [p];
    for (const f of list) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(f, "utf8"));
      } catch (e) {
        throw new InputError(`${f} is not valid JSON: ${(e as Error).message}`);
      }
      const bundle = (raw as { files?: unknown } | null)?.files;
      if (Array.isArray(bundle)) {
        bundle.forEach((o: Partial<SignatureFile>, i) => {
          if (isSignatureFile(o)) out.push({ source: `${f}#${i + 1}`, file: o as SignatureFile });
          else throw new InputError(`${f}: entry ${i + 1} of the bundle is not a signature file`);
        });
        continue;
      }
      const o = raw as Partial<SignatureFile>;
      if (typeof o !== "object" || o === null || typeof o.signature !== "string" || typeof o.signer !== "string" || typeof o.digest !== "string" || typeof o.domain !== "object" || typeof o.report !== "object") {
        continue; // not a signature file (e.g. the unsigned report itself in the same directory)
      }
      out.push({ source: f, file: o as SignatureFile });
    }
  }
  if (out.length === 0) throw new InputError(`no signature file in ${paths.join(", ")}`);
  return out;
}

function isSignatureFile(o: Partial<SignatureFile> | null): boolean {
  return typeof o === "object" && o !== null && typeof o.signature === "string" && typeof o.signer === "string" && typeof o.digest === "string" && typeof o.domain === "object" && typeof o.report === "object";
}

/**
 * Merges signature files over SEVERAL reports (each file's own report, re-hashed here under `domain`
 * and `types`, never its stated digest): groups them by report and merges each group with
 * `mergeSignatureFiles`. Returns one entry per distinct report, in first-seen order.
 * @throws InputError naming a file whose digest is not its report's, or any `mergeSignatureFiles` refusal
 */
export function mergeSignatureFilesByReport(
  files: readonly { source: string; file: SignatureFile }[],
  expected: { kind: ReportKind; domain: CheckedDomain; types: Record<string, TypedDataField[]> },
  parse: (report: Record<string, unknown>, source: string) => Record<string, unknown>,
): { report: Record<string, unknown>; digest: string; about?: Record<string, string>; signers: string[]; signatures: string[] }[] {
  const groups = new Map<string, { report: Record<string, unknown>; about?: Record<string, string>; files: { source: string; file: SignatureFile }[] }>();
  for (const f of files) {
    checkFileDomain(f.source, f.file, expected.kind, expected.domain);
    const report = parse(f.file.report, f.source);
    const digest = TypedDataEncoder.hash(expected.domain, expected.types, report);
    if (f.file.digest !== digest) throw new InputError(`${f.source}: the stated digest ${f.file.digest} is not its report's (${digest}) under this deployment's domain`);
    const g = groups.get(digest) ?? { report, ...(f.file.about ? { about: f.file.about } : {}), files: [] };
    g.files.push(f);
    groups.set(digest, g);
  }
  return [...groups].map(([digest, g]) => ({ report: g.report, digest, ...(g.about ? { about: g.about } : {}), ...mergeSignatureFiles(g.files, { kind: expected.kind, domain: expected.domain, digest }) }));
}

/**
 * `checkedDomain` for a contract handle built from the deployment record: the expected verifying
 * contract is the handle's (recorded) address, the expected chain id its provider's connected chain.
 * A mismatch throws an InputError naming it (the tasks print it; nothing is signed).
 */
export async function recordedDomain(
  contract: { eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]>; getAddress(): Promise<string>; runner: { provider?: { getNetwork(): Promise<{ chainId: bigint }> } | null } | null },
  kind: ReportKind,
): Promise<CheckedDomain> {
  const provider = contract.runner?.provider;
  if (provider === undefined || provider === null) throw new Error("recordedDomain: the contract handle has no provider");
  const chainId = (await provider.getNetwork()).chainId;
  try {
    return await checkedDomain(contract, { kind, chainId, verifyingContract: await contract.getAddress() });
  } catch (e) {
    if (e instanceof DomainMismatchError) throw new InputError(e.message);
    throw e;
  }
}

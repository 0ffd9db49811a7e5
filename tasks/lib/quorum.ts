import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

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

/**
 * The one thing every chain operation takes first: a client. It says which network (so which
 * deployment record and Ignition parameters), which provider to read with and which accounts may
 * sign. No Hardhat import anywhere under `chain/`: the tasks build a client from the Hardhat runtime
 * (`tasks/lib/client.ts`), the keeper's plain Node entry builds one from an RPC URL and keys.
 */
import { JsonRpcProvider, NonceManager, Wallet, type Provider, type Signer } from "ethers";
import { SsiError } from "../src/lib/errors";

/** A provider that also forwards raw JSON-RPC (time travel on a local node, `eth_feeHistory`...). */
export type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

/** A signer that knows its address without a call (ethers' Wallet, Hardhat's signers). */
export type AccountSigner = Signer & { readonly address: string };

export interface Client {
  /** The network's name: `deployments/<network>.json` and `ignition/parameters/<network>.json`. */
  readonly network: string;
  readonly provider: RpcProvider;
  /** True on a development chain (the in-process network or a local node): time travel and sample data allowed. */
  readonly local: boolean;
  /** The accounts this client signs with, default sender first; empty for a read-only client. */
  signers(): Promise<AccountSigner[]>;
}

/** Networks that are development chains whatever their chain id. */
export const LOCAL_NETWORKS: ReadonlySet<string> = new Set(["hardhat", "localhost", "anvil"]);

/**
 * A client over a JSON-RPC URL, signing with `keys` (0x-prefixed private keys; none = read-only).
 * Used where Hardhat is not wanted (the keeper as a plain Node process).
 */
export function clientFromUrl(url: string, network: string, keys: readonly string[] = [], opts: { pollingInterval?: number } = {}): Client {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: false, pollingInterval: opts.pollingInterval ?? 1000 });
  const wallets = keys.map((k) => new Wallet(k, provider));
  return {
    network,
    provider,
    local: LOCAL_NETWORKS.has(network),
    signers: async () => wallets,
  };
}

/** The default sender of a client, or a clear error for a read-only one. */
export async function defaultSigner(client: Client): Promise<AccountSigner> {
  const [first] = await client.signers();
  if (first === undefined) throw new Error(`no account to sign with on "${client.network}": set DEPLOYER_KEY (or KEEPER_KEY for the keeper)`);
  return first;
}

/**
 * The account tasks send from: the client's first signer. A testnet needs only its RPC URL to read;
 * sending needs DEPLOYER_KEY, and this is where its absence is named.
 */
export async function firstSigner(client: Client): Promise<AccountSigner> {
  const [sender] = await client.signers();
  if (sender === undefined) {
    throw new SsiError(
      `no account to send from on ${client.network}: set DEPLOYER_KEY to the sending account's private key (reading tasks such as index:status need only the RPC URL)`,
    );
  }
  return sender;
}

export { NonceManager };

/**
 * A `Client` (chain/client.ts) from the Hardhat runtime: the network's name and provider, and its
 * accounts. `keys` (e.g. KEEPER_KEY) replace the network's accounts as the signers when given.
 */
import { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { LOCAL_NETWORKS, type Client, type RpcProvider } from "../../chain/client";

export function clientFromHre(hre: HardhatRuntimeEnvironment, keys: readonly string[] = []): Client {
  const provider = hre.ethers.provider as unknown as RpcProvider;
  const wallets = keys.map((k) => new Wallet(k, hre.ethers.provider));
  return {
    network: hre.network.name,
    provider,
    local: LOCAL_NETWORKS.has(hre.network.name),
    signers: async () => (wallets.length > 0 ? wallets : await hre.ethers.getSigners()),
  };
}

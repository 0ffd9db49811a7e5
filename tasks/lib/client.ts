/**
 * The chain layer's `Client` (chain/client.ts) from the Hardhat runtime: what every task builds
 * before it calls `chain/`. The network's name, Hardhat's provider (it forwards raw JSON-RPC with
 * `send`), whether it is a development chain (the in-process network or a local node) and the
 * network's accounts, or, when `keys` are given (the keeper's KEEPER_KEY), wallets of those keys instead.
 */
import { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Client } from "../../chain/client";

/** The networks of hardhat.config.ts that are development chains (time travel, sample data). */
const HARDHAT_LOCAL = new Set(["hardhat", "localhost"]);

export function clientFromHre(hre: HardhatRuntimeEnvironment, keys: readonly string[] = []): Client {
  const wallets = keys.map((k) => new Wallet(k, hre.ethers.provider));
  return {
    network: hre.network.name,
    provider: hre.ethers.provider,
    local: HARDHAT_LOCAL.has(hre.network.name),
    signers: async () => (wallets.length > 0 ? wallets : await hre.ethers.getSigners()),
  };
}

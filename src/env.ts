/**
 * The one door to environment configuration. Every variable the project reads is named here,
 * so `grep useEnv` finds every place configuration enters. Pure: no Hardhat import.
 */
export type EnvName =
  | "SEPOLIA_RPC_URL"
  | "BASE_SEPOLIA_RPC_URL"
  | "DEPLOYER_KEY"
  | "ORACLE_SIGNER_KEYS"
  | "ORACLE_SIGNER_KEY"
  | "WEIGHTS_SIGNER_KEY"
  | "SIGNALS_SIGNER_KEY"
  | "NAV_SIGNER_KEY"
  | "ETHERSCAN_API_KEY"
  | "FORK_URL"
  | "SSI_DATA_DIR"
  | "REPORT_GAS"
  | "KEEPER_KEY"
  | "KEEPER_CONFIG"
  | "LOG_LEVEL";

export function useEnv(name: EnvName): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/**
 * A variable that a config file names rather than the code: the keeper's signer keys (`"env:NAME"` in
 * its products config) and a data source's API key (`apiKeyEnv`). Read here so that this file stays
 * the one door: `grep useNamedEnv` finds where a configured name is read.
 */
export function useNamedEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Which variables a network needs before any task may use it: its RPC endpoint. */
export const NETWORK_ENV: Readonly<Record<string, readonly EnvName[]>> = {
  sepolia: ["SEPOLIA_RPC_URL"],
  baseSepolia: ["BASE_SEPOLIA_RPC_URL"],
};

/**
 * Which variables a network needs before anything may be SENT on it (the sending account). Reading
 * tasks (index:status, sanx:status, ...) do not need them; a task that sends says so when it is unset.
 */
export const SENDING_ENV: Readonly<Record<string, readonly EnvName[]>> = {
  sepolia: ["DEPLOYER_KEY"],
  baseSepolia: ["DEPLOYER_KEY"],
};

/** Names of the variables `network` needs that are not set (empty for networks that need none). */
export function missingEnvFor(network: string): EnvName[] {
  return (NETWORK_ENV[network] ?? []).filter((n) => useEnv(n) === undefined);
}

/** Names of the variables sending on `network` needs that are not set. */
export function missingSendingEnvFor(network: string): EnvName[] {
  return (SENDING_ENV[network] ?? []).filter((n) => useEnv(n) === undefined);
}

import { ZeroHash, id } from "ethers";

/** AccessControl role ids of the SSI contracts (as the contracts define them). */
export const ROLE = {
  DEFAULT_ADMIN: ZeroHash,
  ORACLE: id("ORACLE_ROLE"),
  KEEPER: id("KEEPER_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
  REBALANCER: id("REBALANCER_ROLE"),
  SIGNAL_SOURCE: id("SIGNAL_SOURCE_ROLE"),
  /** TimelockController roles. */
  PROPOSER: id("PROPOSER_ROLE"),
  EXECUTOR: id("EXECUTOR_ROLE"),
  CANCELLER: id("CANCELLER_ROLE"),
} as const;

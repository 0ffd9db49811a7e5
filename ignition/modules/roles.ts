import { ZeroHash, id } from "ethers";

/** AccessControl role ids of the SSI contracts (as the contracts define them). */
export const ROLE = {
  DEFAULT_ADMIN: ZeroHash,
  ORACLE: id("ORACLE_ROLE"),
  KEEPER: id("KEEPER_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
  REBALANCER: id("REBALANCER_ROLE"),
} as const;

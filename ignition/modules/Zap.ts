import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * IndexZap (issue 11): one deployment serves every IndexVault. No roles, no admin, no parameters after
 * deployment: only the immutables below.
 * Parameters: `router` (the Uniswap V3 swap router), `routerKind` (0 = v3-periphery SwapRouter, the local
 * market; 1 = SwapRouter02, Base and most L2s), `weth` (WETH9, for native ETH in and out).
 */
export default buildModule("IndexZap", (m) => {
  const zap = m.contract("IndexZap", [m.getParameter<string>("router"), m.getParameter<number>("routerKind", 0), m.getParameter<string>("weth")]);
  return { zap };
});

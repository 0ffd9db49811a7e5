import "@nomicfoundation/hardhat-toolbox";
import { extendEnvironment, subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import { HardhatPluginError } from "hardhat/plugins";
import * as fs from "fs";
import * as path from "path";
import { missingEnvFor, useEnv } from "./src/env";

import "./tasks";

const SOLC_VERSION = "0.8.28";

// These machines cannot reach the solc download server: compile with the pinned npm `solc` (solcjs).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

// The fork suite (test/fork/**) starts its own node, so it runs only when asked for:
// `hardhat test` (no files) leaves it out; `hardhat test test/fork` (npm run test:fork) runs it.
// Under `hardhat coverage` the keeper's tests (test/keeper/**) are left out too: they test the keeper
// process against nodes it starts itself (which run the normal, not the instrumented, bytecode) and add no
// contract branch. A directory argument expands to the .ts/.js files under it.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, hre, runSuper) => {
  if (args.testFiles.length === 0) {
    const skipped = ["fork", ...((hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING ? ["keeper"] : [])];
    const dirs = skipped.map((d) => path.join(hre.config.paths.tests, d) + path.sep);
    return ((await runSuper(args)) as string[]).filter((f) => !dirs.some((d) => f.startsWith(d)));
  }
  return args.testFiles.flatMap((arg) => {
    const abs = path.resolve(process.cwd(), arg);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) return [abs];
    return (fs.readdirSync(abs, { recursive: true }) as string[])
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"))
      .map((f) => path.join(abs, f))
      .sort();
  });
});

// A testnet chosen without its RPC URL fails here, before any task runs; sending also needs DEPLOYER_KEY (firstSigner says so).
extendEnvironment((hre) => {
  const missing = missingEnvFor(hre.network.name);
  if (missing.length > 0) {
    throw new HardhatPluginError(
      "ssi",
      `network "${hre.network.name}" needs the environment variable(s) ${missing.join(", ")}; set them (see README "Networks") and run again.`,
    );
  }
});

const deployerKey = useEnv("DEPLOYER_KEY");
const accounts = deployerKey ? [deployerKey] : [];
// Placeholders keep the config valid when a variable is unset; the guard above refuses to use them.
const unsetUrl = "http://unset.invalid";

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 10_000 } } }],
    // IndexVault: 200 optimizer runs (solc's default), so it deploys 1.5 KiB under EIP-170 (issue 8). Measured with
    // `bench:gas`: its hot loops are assembly, so mint/redeem gas barely depends on runs (see README).
    overrides: { "contracts/IndexVault.sol": { version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 } } } },
  },
  networks: {
    hardhat: {},
    localhost: { url: "http://127.0.0.1:8545" },
    sepolia: { url: useEnv("SEPOLIA_RPC_URL") ?? unsetUrl, chainId: 11155111, accounts },
    baseSepolia: { url: useEnv("BASE_SEPOLIA_RPC_URL") ?? unsetUrl, chainId: 84532, accounts },
  },
  etherscan: { apiKey: useEnv("ETHERSCAN_API_KEY") ?? "" },
  sourcify: { enabled: false },
  gasReporter: { enabled: useEnv("REPORT_GAS") !== undefined, offline: true, currency: "USD" },
  mocha: { timeout: 120_000 },
};

export default config;

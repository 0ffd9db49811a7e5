// solidity-coverage (`npm run coverage`): production contracts only; contracts/test/** are test doubles.
// Instrumented contracts run several times slower: a test that times out under coverage keeps sending
// transactions after mocha moved on, and the nonces and snapshots of the following tests fail with it
// ("Nonce too low", InvalidSnapshotError). So coverage gets a generous per-test timeout.
// solidity-coverage switches the optimizer off, and without it IndexVault's assembly loops do not compile
// ("Stack too deep"): `configureYulOptimizer` turns on solc's Yul optimizer with stack allocation (the
// plugin's documented remedy).
// The "json" report (coverage/coverage-final.json) lists every branch and its hit count.
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["html", "text-summary", "json-summary", "json"],
  mocha: { timeout: 1_800_000 },
  configureYulOptimizer: true,
};

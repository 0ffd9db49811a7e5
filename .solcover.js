// solidity-coverage (`npm run coverage`): production contracts only; contracts/test/** are test doubles.
// Instrumented contracts run several times slower: a test that times out under coverage keeps sending
// transactions after mocha moved on, and the nonces and snapshots of the following tests fail with it
// ("Nonce too low", InvalidSnapshotError). So coverage gets a generous per-test timeout.
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["html", "text-summary", "json-summary", "json"],
  mocha: { timeout: 1_800_000 },
  configureYulOptimizer: true,
};

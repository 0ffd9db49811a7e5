// solidity-coverage (`npm run coverage`): production contracts only; contracts/test/** are test doubles.
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["html", "text-summary", "json-summary"],
};

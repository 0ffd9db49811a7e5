// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only Chainlink-style feed whose `latestRoundData` is fully settable (including
/// `answeredInRound < roundId`, which MockV3Aggregator cannot express).
contract RawFeed {
    uint8 public decimals;
    uint80 private _roundId;
    int256 private _answer;
    uint256 private _updatedAt;
    uint80 private _answeredInRound;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function set(uint80 roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound) external {
        (_roundId, _answer, _updatedAt, _answeredInRound) = (roundId, answer, updatedAt, answeredInRound);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _updatedAt, _updatedAt, _answeredInRound);
    }
}

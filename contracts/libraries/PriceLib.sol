// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title PriceLib
/// @notice Reads a Chainlink feed defensively and normalises its answer to 1e18.
library PriceLib {
    /// @notice The feed's answer is zero or negative.
    error NonPositivePrice(address feed, int256 answer);
    /// @notice The feed has not updated within its heartbeat (or reports a time in the future).
    error StalePrice(address feed, uint256 updatedAt, uint256 heartbeat);
    /// @notice The answer was carried from an earlier round (`answeredInRound < roundId`) or never set.
    error IncompleteRound(address feed, uint80 roundId, uint80 answeredInRound);
    /// @notice The feed reports more than 18 decimals, which this library does not scale.
    error UnsupportedFeedDecimals(address feed, uint8 decimals);

    /// @notice The feed's latest answer in 1e18 units (e.g. {1e18 USD} per whole token).
    /// @param heartbeat Seconds after `updatedAt` beyond which the answer counts as stale.
    function read(AggregatorV3Interface feed, uint256 heartbeat) internal view returns (uint256 price) {
        uint256 answer = _checkedAnswer(feed, heartbeat);
        uint8 decimals = feed.decimals();
        if (decimals > 18) revert UnsupportedFeedDecimals(address(feed), decimals);
        // 10**(18 - decimals) <= 1e18, and a Chainlink answer fits in int192.
        price = answer * 10 ** (18 - decimals);
    }

    /// @notice `read` for a feed whose `decimals` (<= 18, checked by the caller) are already known: a
    /// registry caches them at setup (a Chainlink feed's decimals never change), saving one call per read.
    function readWithDecimals(AggregatorV3Interface feed, uint256 heartbeat, uint8 decimals)
        internal
        view
        returns (uint256 price)
    {
        price = _checkedAnswer(feed, heartbeat) * 10 ** (18 - decimals);
    }

    /// @dev The latest answer after the round, sign and staleness checks (> 0).
    function _checkedAnswer(AggregatorV3Interface feed, uint256 heartbeat) private view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
        if (answer <= 0) revert NonPositivePrice(address(feed), answer);
        if (updatedAt == 0 || answeredInRound < roundId) {
            revert IncompleteRound(address(feed), roundId, answeredInRound);
        }
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > heartbeat) {
            revert StalePrice(address(feed), updatedAt, heartbeat);
        }
        return uint256(answer); // answer > 0 was checked
    }
}

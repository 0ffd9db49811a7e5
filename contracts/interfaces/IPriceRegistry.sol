// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceRegistry
/// @notice One Chainlink `AggregatorV3Interface` feed per token, with a per-feed heartbeat, shared by
/// the index vaults (NAV, empty-vault units), the weight oracle (every constituent must be priced)
/// and later the trade bounds (issue 3) and USSI's valuation.
/// @dev Prices are read through `PriceLib.read`: stale, future-dated, non-positive and
/// incomplete-round answers revert. Every price is {1e18 USD} per whole token.
interface IPriceRegistry {
    /// @notice The token has no feed.
    error FeedNotSet(address token);
    /// @notice A zero token or feed address, or a zero heartbeat.
    error InvalidFeed(address token, address feed, uint256 heartbeat);

    /// @notice Emitted when a token's feed is set or replaced.
    /// @param tokenDecimals The token's `decimals()`, read once and cached.
    event FeedSet(address indexed token, address indexed feed, uint256 heartbeat, uint8 tokenDecimals);
    /// @notice Emitted when a token's feed is removed.
    event FeedRemoved(address indexed token);

    /// @notice Sets or replaces `token`'s USD feed; admin only. Reads `token.decimals()` and checks
    /// the feed answers now (a feed that is stale or broken at setup is refused).
    /// @param heartbeat Seconds after the feed's `updatedAt` beyond which its answer is stale.
    function setFeed(address token, address feed, uint256 heartbeat) external;

    /// @notice Removes `token`'s feed; admin only.
    function removeFeed(address token) external;

    /// @notice `token`'s price in {1e18 USD} per whole token; reverts when unset or unsafe.
    function price(address token) external view returns (uint256);

    /// @notice `token`'s price ({1e18 USD} per whole token) and its decimals, in one call.
    function priceAndDecimals(address token) external view returns (uint256 price, uint8 decimals);

    /// @notice The feed, heartbeat (seconds) and cached token decimals; a zero feed when unset.
    function feedOf(address token) external view returns (address feed, uint256 heartbeat, uint8 tokenDecimals);

    /// @notice Whether `token` has a feed.
    function hasFeed(address token) external view returns (bool);
}

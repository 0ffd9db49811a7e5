// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockCheck} from "../governance/TimelockCheck.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IPriceRegistry} from "../interfaces/IPriceRegistry.sol";
import {PriceLib} from "../libraries/PriceLib.sol";

/// @title PriceRegistry
/// @notice Token -> Chainlink USD feed, with heartbeat and cached token decimals, managed by the admin.
contract PriceRegistry is IPriceRegistry, AccessControl {
    /// @dev One slot per token: 20 + 4 + 1 bytes.
    struct Feed {
        address feed; // Chainlink AggregatorV3Interface
        uint32 heartbeat; // {s}
        uint8 tokenDecimals; // the token's decimals()
        uint8 feedDecimals; // the feed's decimals() (<= 18), cached at setFeed: one call less per read
    }

    // == Storage ==
    mapping(address token => Feed) private _feeds;

    // == Constructor ==
    constructor(address admin) {
        TimelockCheck.requireTimelock(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // == External ==
    /// @inheritdoc IPriceRegistry
    function setFeed(address token, address feed, uint256 heartbeat) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0) || feed == address(0) || heartbeat == 0 || heartbeat > type(uint32).max) {
            revert InvalidFeed(token, feed, heartbeat);
        }
        // Refuse a feed that cannot be read now (wrong address, > 18 decimals, stale at setup).
        PriceLib.read(AggregatorV3Interface(feed), heartbeat);
        uint8 tokenDecimals = IERC20Metadata(token).decimals();
        uint8 feedDecimals = AggregatorV3Interface(feed).decimals(); // <= 18: `read` above checked it
        // heartbeat <= type(uint32).max was checked above.
        _feeds[token] =
            Feed({feed: feed, heartbeat: uint32(heartbeat), tokenDecimals: tokenDecimals, feedDecimals: feedDecimals});
        emit FeedSet(token, feed, heartbeat, tokenDecimals);
    }

    /// @inheritdoc IPriceRegistry
    function removeFeed(address token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_feeds[token].feed == address(0)) revert FeedNotSet(token);
        delete _feeds[token];
        emit FeedRemoved(token);
    }

    /// @inheritdoc IPriceRegistry
    function price(address token) external view returns (uint256) {
        Feed memory f = _feed(token);
        return PriceLib.readWithDecimals(AggregatorV3Interface(f.feed), f.heartbeat, f.feedDecimals);
    }

    /// @inheritdoc IPriceRegistry
    function priceAndDecimals(address token) external view returns (uint256, uint8) {
        Feed memory f = _feed(token);
        return (PriceLib.readWithDecimals(AggregatorV3Interface(f.feed), f.heartbeat, f.feedDecimals), f.tokenDecimals);
    }

    /// @inheritdoc IPriceRegistry
    function feedOf(address token) external view returns (address, uint256, uint8) {
        Feed memory f = _feeds[token];
        return (f.feed, f.heartbeat, f.tokenDecimals);
    }

    /// @inheritdoc IPriceRegistry
    function hasFeed(address token) external view returns (bool) {
        return _feeds[token].feed != address(0);
    }

    // == Internal ==
    function _feed(address token) private view returns (Feed memory f) {
        f = _feeds[token];
        if (f.feed == address(0)) revert FeedNotSet(token);
    }
}

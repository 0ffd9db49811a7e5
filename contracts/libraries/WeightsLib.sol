// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPriceRegistry} from "../interfaces/IPriceRegistry.sol";

/// @title WeightsLib
/// @notice The rules every target basket obeys, checked by the weight oracle before it forwards a
/// report and again by the vault (the SANX controller of issue 4 calls the vault directly).
library WeightsLib {
    /// @notice Largest basket a vault holds (bounds loops and the packed basket record).
    uint256 internal constant MAX_CONSTITUENTS = 32;
    /// @notice Weights are WAD fractions: 1e18 = 100%.
    uint256 internal constant WAD = 1e18;

    /// @notice No constituents.
    error EmptyBasket();
    /// @notice `constituents` and `weights` differ in length.
    error LengthMismatch(uint256 constituents, uint256 weights);
    /// @notice More than `MAX_CONSTITUENTS`.
    error TooManyConstituents(uint256 count, uint256 max);
    /// @notice The zero address as a constituent.
    error ZeroAddressConstituent(uint256 index);
    /// @notice The same constituent listed twice.
    error DuplicateConstituent(address token);
    /// @notice A zero weight: a constituent the index does not hold must be left out, not listed at 0.
    error ZeroWeight(address token);
    /// @notice The weights do not add up to exactly 1e18.
    error WeightsSumNotOne(uint256 sum);
    /// @notice A constituent the price registry cannot price (no feed).
    error ConstituentWithoutFeed(address token);

    /// @notice Reverts unless `constituents`/`weights` form a valid target basket: 1..32 distinct
    /// non-zero addresses, each with a feed in `registry` and a positive weight, weights summing to 1e18.
    /// @dev O(n^2) duplicate scan: n <= 32, cheaper than sorting or a transient set at these sizes.
    function check(address[] calldata constituents, uint256[] calldata weights, IPriceRegistry registry)
        internal
        view
    {
        uint256 n = constituents.length;
        if (n == 0) revert EmptyBasket();
        if (n != weights.length) revert LengthMismatch(n, weights.length);
        if (n > MAX_CONSTITUENTS) revert TooManyConstituents(n, MAX_CONSTITUENTS);
        uint256 sum; // {WAD}
        for (uint256 i = 0; i < n; ++i) {
            address token = constituents[i];
            if (token == address(0)) revert ZeroAddressConstituent(i);
            for (uint256 j = 0; j < i; ++j) {
                if (constituents[j] == token) revert DuplicateConstituent(token);
            }
            uint256 w = weights[i];
            if (w == 0) revert ZeroWeight(token);
            // Checked addition: a huge weight overflowing the sum must revert, not wrap to 1e18.
            sum += w;
            if (!registry.hasFeed(token)) revert ConstituentWithoutFeed(token);
        }
        if (sum != WAD) revert WeightsSumNotOne(sum);
    }
}

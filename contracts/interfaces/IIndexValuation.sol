// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IIndexValuation
/// @notice The one thing USSI needs from an index vault (MAG7.ssi): the USD value of its shares.
/// @dev Implemented by the SSI IndexVault, which values its basket through the Chainlink feeds.
interface IIndexValuation {
    /// @notice The USD value of 1e18 index shares.
    /// @return {1e18 USD} per 1e18 index shares; reverts (rather than returning a stale value) when
    /// the implementation cannot price its basket.
    function navPerShare() external view returns (uint256);
}

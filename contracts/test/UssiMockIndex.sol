// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";
import {IIndexValuation} from "../interfaces/IIndexValuation.sol";

/// @notice Test-only stand-in for MAG7.ssi: a MockERC20 share token (18 decimals, open mint) that
/// also answers `navPerShare()` with a value the test sets.
contract UssiMockIndex is MockERC20, IIndexValuation {
    uint256 private _navPerShare; // {1e18 USD} per 1e18 shares

    constructor(uint256 navPerShare_) MockERC20("Mock MAG7.ssi", "MAG7.ssi", 18) {
        _navPerShare = navPerShare_;
    }

    function setNavPerShare(uint256 navPerShare_) external {
        _navPerShare = navPerShare_;
    }

    function navPerShare() external view returns (uint256) {
        return _navPerShare;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only USDC stand-in that, once armed, calls back into `target` on its next transfer
/// and records how that call ended, so a test can show the vault's reentrancy guard held.
contract UssiReentrantToken is MockERC20 {
    address private _target;
    bytes private _payload;
    bool public armed;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryRevertData;

    constructor() MockERC20("Reentrant USD", "rUSD", 6) {}

    function arm(address target, bytes calldata payload) external {
        _target = target;
        _payload = payload;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from != address(0)) {
            armed = false;
            reentered = true;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory data) = _target.call(_payload);
            reentrySucceeded = ok;
            reentryRevertData = data;
        }
    }
}

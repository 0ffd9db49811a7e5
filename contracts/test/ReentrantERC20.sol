// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: on every transfer, calls `target` with `data` once (an ERC-777-style hook an
/// attacker controls). Records whether the inner call succeeded and its revert data.
contract ReentrantERC20 is ERC20 {
    address public hookTarget;
    bytes public data;
    bool public armed;
    bool public lastCallOk;
    bytes public lastRevertData;

    constructor() ERC20("Reentrant", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data_) external {
        hookTarget = target_;
        data = data_;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from != address(0) && to != address(0)) {
            armed = false; // once
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = hookTarget.call(data);
            lastCallOk = ok;
            lastRevertData = ret;
        }
    }
}

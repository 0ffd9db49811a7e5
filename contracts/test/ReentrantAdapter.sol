// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ITradeAdapter} from "../interfaces/ITradeAdapter.sol";

/// @notice Test-only ITradeAdapter that, mid-swap, calls `target` with `data` (e.g. the vault's redeem or
/// the Rebalancer's executeTrade) and bubbles its revert; otherwise pays `amountIn` of tokenOut 1:1 from
/// its own inventory.
contract ReentrantAdapter is ITradeAdapter {
    address public hookTarget;
    bytes public hookData;

    function setAttack(address target_, bytes calldata data_) external {
        hookTarget = target_;
        hookData = data_;
    }

    function swap(address tokenIn, address tokenOut, uint256 amountIn, uint256, bytes calldata, address recipient)
        external
        returns (uint256 amountOut)
    {
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        if (hookTarget != address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = hookTarget.call(hookData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        amountOut = amountIn;
        IERC20(tokenOut).transfer(recipient, amountOut);
    }
}

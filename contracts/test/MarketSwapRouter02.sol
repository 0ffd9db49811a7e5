// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IV3SwapRouter02} from "../periphery/IndexZap.sol";

/// @notice Test-only stand-in for Uniswap's SwapRouter02 (`exactInput`/`exactOutput` without `deadline`),
/// forwarding to a v3-periphery SwapRouter, so the adapter's and IndexZap's SwapRouter02 encodings run on
/// the local market. Pulls from its caller like the real router (the payer is msg.sender) and returns
/// unspent input.
contract MarketSwapRouter02 is IV3SwapRouter02 {
    using SafeERC20 for IERC20;

    ISwapRouter public immutable inner;

    constructor(ISwapRouter inner_) {
        inner = inner_;
    }

    function exactInput(ExactInputParams calldata params) external payable returns (uint256 amountOut) {
        IERC20 tokenIn = IERC20(address(bytes20(params.path[:20])));
        tokenIn.safeTransferFrom(msg.sender, address(this), params.amountIn);
        tokenIn.forceApprove(address(inner), params.amountIn);
        amountOut = inner.exactInput(
            ISwapRouter.ExactInputParams({
                path: params.path,
                recipient: params.recipient,
                deadline: block.timestamp,
                amountIn: params.amountIn,
                amountOutMinimum: params.amountOutMinimum
            })
        );
    }

    function exactOutput(ExactOutputParams calldata params) external payable returns (uint256 amountIn) {
        // exactOutput paths are reversed: the input token is the last 20 bytes.
        IERC20 tokenIn = IERC20(address(bytes20(params.path[params.path.length - 20:])));
        tokenIn.safeTransferFrom(msg.sender, address(this), params.amountInMaximum);
        tokenIn.forceApprove(address(inner), params.amountInMaximum);
        amountIn = inner.exactOutput(
            ISwapRouter.ExactOutputParams({
                path: params.path, recipient: params.recipient, deadline: block.timestamp, amountOut: params.amountOut,
                amountInMaximum: params.amountInMaximum
            })
        );
        tokenIn.forceApprove(address(inner), 0);
        tokenIn.safeTransfer(msg.sender, params.amountInMaximum - amountIn);
    }

    /// @notice SwapRouter02 has this getter (v1 SwapRouter does not); `detectRouterKind` probes it.
    function factoryV2() external pure returns (address) {
        return address(0);
    }
}

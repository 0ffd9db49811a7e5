// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {ITradeAdapter} from "../interfaces/ITradeAdapter.sol";

/// @notice `exactInput` of Uniswap's SwapRouter02 (`IV3SwapRouter`): the same path semantics as the
/// original SwapRouter, but its params have no `deadline`. Base and most L2s deploy only SwapRouter02.
interface IV3SwapRouterExactInput {
    struct ExactInputParams {
        bytes path;
        address recipient;
        uint256 amountIn;
        uint256 amountOutMinimum;
    }

    function exactInput(ExactInputParams calldata params) external payable returns (uint256 amountOut);
}

/// @title UniswapV3Adapter
/// @notice ITradeAdapter over a Uniswap V3 router's `exactInput`. `routeData` is the Uniswap V3 encoded
/// path (`tokenIn | fee | token | fee | ... | tokenOut`, 20 + 23k bytes), so a trade may go direct or
/// through the hub tokens fixed at deployment (USDC, WETH), and through nothing else: a keeper cannot
/// route a trade through tokens and pools of its own choosing (issue 13).
/// @dev Stateless: tokens pass through within one call. The router gets an unlimited allowance per
/// token the first time it is needed (the adapter holds nothing between calls, so the allowance
/// exposes nothing); this saves an approve on every later trade. The caller's floor is passed to the
/// router as its `amountOutMinimum` and checked again here, so a short output reverts.
contract UniswapV3Adapter is ITradeAdapter {
    using SafeERC20 for IERC20;

    /// @notice Which router ABI `router` speaks.
    enum RouterKind {
        SwapRouter, // v3-periphery SwapRouter: ExactInputParams has `deadline`
        SwapRouter02 // swap-router-contracts SwapRouter02: no `deadline`
    }

    /// @notice The router address is zero.
    error ZeroRouter();
    /// @notice `token` sits inside the route but is not one of the two hub tokens.
    error IntermediateNotAllowed(address token);

    /// @dev One encoded hop: fee (3 bytes) + next token (20 bytes).
    uint256 private constant _HOP = 23;
    uint256 private constant _ADDR = 20;

    /// @notice The Uniswap V3 router every swap goes through.
    address public immutable router;
    /// @notice The router's ABI flavour.
    RouterKind public immutable routerKind;
    /// @notice The tokens a route may pass through between `tokenIn` and `tokenOut` (USDC, WETH).
    address public immutable hub0;
    address public immutable hub1;

    /// @param hub0_ First hub token (e.g. USDC); hub1_ second (e.g. WETH). A zero hub allows nothing.
    constructor(address router_, RouterKind routerKind_, address hub0_, address hub1_) {
        if (router_ == address(0)) revert ZeroRouter();
        router = router_;
        routerKind = routerKind_;
        hub0 = hub0_;
        hub1 = hub1_;
    }

    /// @inheritdoc ITradeAdapter
    function swap(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minAmountOut,
        bytes calldata routeData,
        address recipient
    ) external returns (uint256 amountOut) {
        // == Checks ==
        if (amountIn == 0) revert ZeroAmountIn();
        if (recipient == address(0)) revert ZeroRecipient();
        if (tokenIn == tokenOut) revert SameToken(tokenIn);
        uint256 len = routeData.length;
        if (len < _ADDR + _HOP || (len - _ADDR) % _HOP != 0) revert MalformedRoute(len);
        address routeIn = address(bytes20(routeData[:_ADDR]));
        address routeOut = address(bytes20(routeData[len - _ADDR:]));
        if (routeIn != tokenIn || routeOut != tokenOut) revert RouteMismatch(tokenIn, tokenOut, routeIn, routeOut);
        // Every token strictly inside the path (at byte 23k, 0 < k < hops) must be a hub.
        for (uint256 at = _HOP; at < len - _ADDR; at += _HOP) {
            address mid = address(bytes20(routeData[at:at + _ADDR]));
            if (mid == address(0) || (mid != hub0 && mid != hub1)) revert IntermediateNotAllowed(mid);
        }

        // == Interactions == (no state of its own to update)
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        if (IERC20(tokenIn).allowance(address(this), router) < amountIn) {
            IERC20(tokenIn).forceApprove(router, type(uint256).max);
        }
        if (routerKind == RouterKind.SwapRouter) {
            amountOut = ISwapRouter(router).exactInput(
                ISwapRouter.ExactInputParams({
                    path: routeData,
                    recipient: recipient,
                    deadline: block.timestamp,
                    amountIn: amountIn,
                    amountOutMinimum: minAmountOut
                })
            );
        } else {
            amountOut = IV3SwapRouterExactInput(router).exactInput(
                IV3SwapRouterExactInput.ExactInputParams({
                    path: routeData, recipient: recipient, amountIn: amountIn, amountOutMinimum: minAmountOut
                })
            );
        }
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
    }
}

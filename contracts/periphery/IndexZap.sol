// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IIndexZap} from "../interfaces/IIndexZap.sol";

/// @notice WETH9's wrap and unwrap.
interface IWETH9 {
    function deposit() external payable;

    function withdraw(uint256 amount) external;
}

/// @notice `exactInput`/`exactOutput` of Uniswap's SwapRouter02 (`IV3SwapRouter`): the original SwapRouter's
/// path semantics, without `deadline` in the params.
interface IV3SwapRouter02 {
    struct ExactInputParams {
        bytes path;
        address recipient;
        uint256 amountIn;
        uint256 amountOutMinimum;
    }

    struct ExactOutputParams {
        bytes path;
        address recipient;
        uint256 amountOut;
        uint256 amountInMaximum;
    }

    function exactInput(ExactInputParams calldata params) external payable returns (uint256 amountOut);

    function exactOutput(ExactOutputParams calldata params) external payable returns (uint256 amountIn);
}

/// @title IndexZap
/// @notice One-token mint and redeem for every IndexVault through Uniswap V3 (see IIndexZap).
/// @dev Stateless and ownerless. The router gets an unlimited allowance per token the first time it is
/// needed, as in UniswapV3Adapter: the router pulls only from its caller (the payer of a swap is the
/// router's `msg.sender`), and this zap calls it only with the current caller's funds and holds nothing
/// between calls. The vault, chosen by the caller, gets exact allowances that its `mint` spends; any
/// allowance it left is cleared before the call returns, so no vault keeps a claim on the zap.
contract IndexZap is IIndexZap, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Native ETH as the payment token.
    address public constant NATIVE = address(0);

    /// @dev One encoded hop: fee (3 bytes) + next token (20 bytes).
    uint256 private constant _HOP = 23;
    uint256 private constant _ADDR = 20;
    /// @dev keccak256 of the router's revert data when an exactOutput needs more than amountInMaximum.
    bytes32 private constant _TOO_MUCH_REQUESTED = keccak256(abi.encodeWithSignature("Error(string)", "Too much requested"));

    /// @inheritdoc IIndexZap
    address public immutable router;
    /// @inheritdoc IIndexZap
    RouterKind public immutable routerKind;
    /// @inheritdoc IIndexZap
    address public immutable weth;

    constructor(address router_, RouterKind routerKind_, address weth_) {
        if (router_ == address(0)) revert ZeroAddress("router");
        if (weth_ == address(0)) revert ZeroAddress("weth");
        router = router_;
        routerKind = routerKind_;
        weth = weth_;
    }

    /// @notice Accepts ETH only from WETH9 (unwrapping a refund or a redemption).
    receive() external payable {
        if (msg.sender != weth) revert UnexpectedEth(msg.sender);
    }

    // == Mint ==

    /// @inheritdoc IIndexZap
    function mint(MintParams calldata p) external payable nonReentrant returns (uint256 amountIn) {
        return _mint(p);
    }

    /// @inheritdoc IIndexZap
    function mintWithPermit(MintParams calldata p, Permit calldata permit) external nonReentrant returns (uint256 amountIn) {
        _permit(p.tokenIn, permit);
        return _mint(p);
    }

    function _mint(MintParams calldata p) private returns (uint256 spent) {
        // == Checks ==
        _checkCommon(p.shares, p.receiver, p.deadline);
        if (p.vault.paused()) revert VaultPaused(address(p.vault));
        bool native = p.tokenIn == NATIVE;
        address tokenIn = native ? weth : p.tokenIn;
        if (native ? msg.value != p.maxAmountIn : msg.value != 0) revert WrongValue(msg.value, native ? p.maxAmountIn : 0);
        // {tok} per constituent, rounded UP by the vault: exactly what its mint pulls in this block.
        (address[] memory tokens, uint256[] memory amounts) = p.vault.previewMint(p.shares);
        uint256 n = tokens.length;
        if (p.routes.length != n) revert RoutesLengthMismatch(p.routes.length, n);
        for (uint256 i; i < n; ++i) _checkRoute(i, p.routes[i], tokens[i], tokenIn);

        // == Interactions == (the zap keeps no state; every effect is a transfer)
        // 1. The input, from the caller only.
        if (native) {
            IWETH9(weth).deposit{value: msg.value}();
        } else {
            _pull(IERC20(tokenIn), msg.sender, p.maxAmountIn);
        }
        // 2. Each constituent's exact amount: bought, or taken from the input when it is the input.
        address vault = address(p.vault);
        for (uint256 i; i < n; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            if (tokens[i] == tokenIn) {
                spent += amount;
            } else {
                // The router stops at the remaining budget (`SwapAboveBudget` beyond it). Cannot
                // underflow: `spent <= maxAmountIn` is checked after every step.
                spent += _buy(i, p.routes[i], amount, p.maxAmountIn - spent, tokenIn);
            }
            if (spent > p.maxAmountIn) revert AmountInAboveMax(tokenIn, spent, p.maxAmountIn);
            IERC20(tokens[i]).forceApprove(vault, amount);
        }
        // 3. The mint: the vault pulls exactly `amounts` (its own maxAmountsIn) and mints to the receiver.
        p.vault.mint(p.shares, p.receiver, amounts);
        for (uint256 i; i < n; ++i) {
            if (IERC20(tokens[i]).allowance(address(this), vault) != 0) IERC20(tokens[i]).forceApprove(vault, 0);
        }
        // 4. The refund of every unspent base unit, to the caller.
        // Cannot underflow: `spent <= maxAmountIn` was checked after every step.
        uint256 refund = p.maxAmountIn - spent;
        if (refund != 0) {
            if (native) {
                IWETH9(weth).withdraw(refund);
                _sendEth(msg.sender, refund);
            } else {
                IERC20(tokenIn).safeTransfer(msg.sender, refund);
            }
        }
        emit ZapMint(vault, msg.sender, p.receiver, p.tokenIn, p.shares, spent);
    }

    /// @dev Buys exactly `amountOut` of the route's first token with at most `maxIn` of `tokenIn`, to this zap.
    /// The router's "Too much requested" (the remaining budget is not enough) becomes `SwapAboveBudget`;
    /// any other revert is passed on unchanged.
    function _buy(uint256 i, bytes calldata route, uint256 amountOut, uint256 maxIn, address tokenIn) private returns (uint256 amountIn) {
        _approveRouter(tokenIn, maxIn);
        bytes memory call = routerKind == RouterKind.SwapRouter
            ? abi.encodeCall(
                ISwapRouter.exactOutput,
                (ISwapRouter.ExactOutputParams({path: route, recipient: address(this), deadline: block.timestamp, amountOut: amountOut, amountInMaximum: maxIn}))
            )
            : abi.encodeCall(
                IV3SwapRouter02.exactOutput,
                (IV3SwapRouter02.ExactOutputParams({path: route, recipient: address(this), amountOut: amountOut, amountInMaximum: maxIn}))
            );
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = router.call(call);
        if (!ok) {
            if (keccak256(ret) == _TOO_MUCH_REQUESTED) revert SwapAboveBudget(i, tokenIn, maxIn);
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        amountIn = abi.decode(ret, (uint256));
    }

    // == Redeem ==

    /// @inheritdoc IIndexZap
    function redeem(RedeemParams calldata p) external nonReentrant returns (uint256 amountOut) {
        return _redeem(p);
    }

    /// @inheritdoc IIndexZap
    function redeemWithPermit(RedeemParams calldata p, Permit calldata permit) external nonReentrant returns (uint256 amountOut) {
        _permit(address(p.vault), permit);
        return _redeem(p);
    }

    function _redeem(RedeemParams calldata p) private returns (uint256 amountOut) {
        // == Checks ==
        _checkCommon(p.shares, p.receiver, p.deadline);
        bool native = p.tokenOut == NATIVE;
        address tokenOut = native ? weth : p.tokenOut;
        // {tok} per constituent, rounded DOWN by the vault: exactly what its redeem pays in this block.
        (address[] memory tokens, uint256[] memory amounts) = p.vault.previewRedeem(p.shares);
        uint256 n = tokens.length;
        if (p.routes.length != n) revert RoutesLengthMismatch(p.routes.length, n);
        for (uint256 i; i < n; ++i) _checkRoute(i, p.routes[i], tokens[i], tokenOut);

        // == Interactions ==
        // 1. The shares, from the caller only; the vault burns them from this zap and pays it in kind, at
        // least `amounts` (its own minAmountsOut), which is exactly what it pays in this block.
        _pull(IERC20(address(p.vault)), msg.sender, p.shares);
        p.vault.redeem(p.shares, address(this), amounts);
        // 2. Sell every constituent; ERC-20 proceeds go straight to the receiver, ETH proceeds via the zap.
        address to = native ? address(this) : p.receiver;
        uint256 kept; // {tok of tokenOut} received in kind (the constituent that is the output token)
        for (uint256 i; i < n; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            if (tokens[i] == tokenOut) kept += amount;
            else amountOut += _sell(p.routes[i], tokens[i], amount, to);
        }
        amountOut += kept;
        if (amountOut < p.minAmountOut) revert AmountOutBelowMin(tokenOut, amountOut, p.minAmountOut);
        // 3. The payout.
        if (native) {
            IWETH9(weth).withdraw(amountOut);
            _sendEth(p.receiver, amountOut);
        } else if (kept != 0) {
            IERC20(tokenOut).safeTransfer(p.receiver, kept);
        }
        emit ZapRedeem(address(p.vault), msg.sender, p.receiver, p.tokenOut, p.shares, amountOut);
    }

    /// @dev Sells exactly `amountIn` of `token` along `route` for the route's last token, paid to `to`.
    function _sell(bytes calldata route, address token, uint256 amountIn, address to) private returns (uint256 out) {
        _approveRouter(token, amountIn);
        // The router's own minimum stays 0: the total is bounded by `minAmountOut` after all sales.
        if (routerKind == RouterKind.SwapRouter) {
            out = ISwapRouter(router).exactInput(
                ISwapRouter.ExactInputParams({path: route, recipient: to, deadline: block.timestamp, amountIn: amountIn, amountOutMinimum: 0})
            );
        } else {
            out = IV3SwapRouter02(router).exactInput(
                IV3SwapRouter02.ExactInputParams({path: route, recipient: to, amountIn: amountIn, amountOutMinimum: 0})
            );
        }
    }

    // == Helpers ==

    function _checkCommon(uint256 shares, address receiver, uint256 deadline) private view {
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        if (shares == 0) revert ZeroShares();
        if (receiver == address(0)) revert ZeroReceiver();
    }

    /// @dev A constituent equal to the payment token takes an empty route; any other one a path of
    /// 20 + 23k bytes (k >= 1) from the constituent to the payment token (mint: exactOutput's reversed
    /// encoding; redeem: exactInput's).
    function _checkRoute(uint256 i, bytes calldata route, address constituent, address payToken) private pure {
        uint256 len = route.length;
        if (constituent == payToken) {
            if (len != 0) revert MalformedRoute(i, len);
            return;
        }
        if (len < _ADDR + _HOP || (len - _ADDR) % _HOP != 0) revert MalformedRoute(i, len);
        address start = address(bytes20(route[:_ADDR]));
        address end = address(bytes20(route[len - _ADDR:]));
        if (start != constituent || end != payToken) revert RouteMismatch(i, constituent, payToken, start, end);
    }

    /// @dev Pulls `amount` from `from` (always msg.sender) and checks the zap received all of it.
    function _pull(IERC20 token, address from, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TransferShortfall(address(token), amount, received);
    }

    /// @dev The router's unlimited allowance over the zap's own `token`, set once (see the contract doc).
    function _approveRouter(address token, uint256 amount) private {
        if (IERC20(token).allowance(address(this), router) < amount) IERC20(token).forceApprove(router, type(uint256).max);
    }

    /// @dev EIP-2612 permit of the caller for this zap. A failing permit (e.g. one a watcher front-ran with
    /// the same signature) is ignored when the allowance already covers it; otherwise the pull reverts.
    function _permit(address token, Permit calldata permit) private {
        try IERC20Permit(token).permit(msg.sender, address(this), permit.value, permit.deadline, permit.v, permit.r, permit.s) {
            return;
        } catch {
            if (IERC20(token).allowance(msg.sender, address(this)) < permit.value) {
                // Re-run to surface the token's own reason.
                IERC20Permit(token).permit(msg.sender, address(this), permit.value, permit.deadline, permit.v, permit.r, permit.s);
            }
        }
    }

    function _sendEth(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert EthTransferFailed(to, amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IPriceRegistry} from "../../../../contracts/interfaces/IPriceRegistry.sol";
import {IV3SwapRouter02} from "../../../../contracts/periphery/IndexZap.sol";

/// @notice A plain OpenZeppelin ERC-20 with chosen decimals and an open mint (test funding only).
contract ZapToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory symbol_, uint8 decimals_) ERC20(symbol_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice WETH9's behaviour on OpenZeppelin's ERC-20: deposit mints 1:1, withdraw burns and sends ETH
/// with a plain call (as WETH9 does: the zap's `receive` accepts ETH only from WETH).
contract ZapWETH is ERC20 {
    constructor() ERC20("Wrapped Ether", "WETH") {}

    receive() external payable {
        _mint(msg.sender, msg.value);
    }

    function deposit() external payable {
        _mint(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        _burn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        require(ok, "WETH: ETH transfer failed");
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice v3-periphery SwapRouter's and SwapRouter02's `exactInput`/`exactOutput` (same ABIs, same path encoding, same
/// revert strings: "Transaction too old", "Too little received", "Too much requested") over constant-price
/// pools: each hop trades at the Chainlink oracle price (PriceRegistry) less the hop's fee tier (hundredths
/// of a bip, as in Uniswap V3), optionally moved against the trader by `skewBps` (a sandwich). Out amounts
/// round down, in amounts up (the pool's favour, as Uniswap). The router pays from its own reserves and
/// pulls the input from the caller with `transferFrom`, as the real router does through the pool callback.
contract OracleSwapRouter {
    using SafeERC20 for IERC20;

    IPriceRegistry public immutable registry;
    uint256 public skewBps; // {bps} every hop's price worse for the trader

    uint256 private constant _HOP = 23;
    uint256 private constant _ADDR = 20;

    constructor(IPriceRegistry registry_) {
        registry = registry_;
    }

    function setSkew(uint256 bps) external {
        require(bps < 10_000, "skew");
        skewBps = bps;
    }

    // == SwapRouter ==
    function exactInput(ISwapRouter.ExactInputParams calldata p) external payable returns (uint256 amountOut) {
        require(block.timestamp <= p.deadline, "Transaction too old");
        bytes calldata path = p.path;
        amountOut = quoteExactInput(path, p.amountIn);
        require(amountOut >= p.amountOutMinimum, "Too little received");
        address tokenIn = address(bytes20(path[:_ADDR]));
        address tokenOut = address(bytes20(path[path.length - _ADDR:]));
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), p.amountIn);
        IERC20(tokenOut).safeTransfer(p.recipient, amountOut);
    }

    function exactOutput(ISwapRouter.ExactOutputParams calldata p) external payable returns (uint256 amountIn) {
        require(block.timestamp <= p.deadline, "Transaction too old");
        bytes calldata path = p.path; // tokenOut ... tokenIn, as Uniswap's exactOutput
        amountIn = quoteExactOutput(path, p.amountOut);
        require(amountIn <= p.amountInMaximum, "Too much requested");
        address tokenOut = address(bytes20(path[:_ADDR]));
        address tokenIn = address(bytes20(path[path.length - _ADDR:]));
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        IERC20(tokenOut).safeTransfer(p.recipient, p.amountOut);
    }

    // == SwapRouter02 (swap-router-contracts: the same, without a deadline) ==
    function exactInput(IV3SwapRouter02.ExactInputParams calldata p) external payable returns (uint256 amountOut) {
        bytes calldata path = p.path;
        amountOut = quoteExactInput(path, p.amountIn);
        require(amountOut >= p.amountOutMinimum, "Too little received");
        IERC20(address(bytes20(path[:_ADDR]))).safeTransferFrom(msg.sender, address(this), p.amountIn);
        IERC20(address(bytes20(path[path.length - _ADDR:]))).safeTransfer(p.recipient, amountOut);
    }

    function exactOutput(IV3SwapRouter02.ExactOutputParams calldata p) external payable returns (uint256 amountIn) {
        bytes calldata path = p.path;
        amountIn = quoteExactOutput(path, p.amountOut);
        require(amountIn <= p.amountInMaximum, "Too much requested");
        IERC20(address(bytes20(path[path.length - _ADDR:]))).safeTransferFrom(msg.sender, address(this), amountIn);
        IERC20(address(bytes20(path[:_ADDR]))).safeTransfer(p.recipient, p.amountOut);
    }

    // == Quotes (what QuoterV2 would say) ==
    /// @notice {tok out} for `amountIn` {tok in} along `path` (tokenIn ... tokenOut), rounded down per hop.
    function quoteExactInput(bytes calldata path, uint256 amountIn) public view returns (uint256 amount) {
        _checkPath(path);
        amount = amountIn;
        for (uint256 o = 0; o + _ADDR < path.length; o += _HOP) {
            address a = address(bytes20(path[o:o + _ADDR]));
            uint24 fee = uint24(bytes3(path[o + _ADDR:o + _HOP]));
            address b = address(bytes20(path[o + _HOP:o + _HOP + _ADDR]));
            amount = _out(a, b, amount, fee);
        }
    }

    /// @notice {tok in} for exactly `amountOut` {tok out} along `path` (tokenOut ... tokenIn), rounded up per hop.
    function quoteExactOutput(bytes calldata path, uint256 amountOut) public view returns (uint256 amount) {
        _checkPath(path);
        amount = amountOut;
        for (uint256 o = 0; o + _ADDR < path.length; o += _HOP) {
            address b = address(bytes20(path[o:o + _ADDR]));
            uint24 fee = uint24(bytes3(path[o + _ADDR:o + _HOP]));
            address a = address(bytes20(path[o + _HOP:o + _HOP + _ADDR]));
            amount = _in(a, b, amount, fee);
        }
    }

    /// @dev out = floor(in * pIn * 10^dOut * (1e6 - fee) * (1e4 - skew) / (pOut * 10^dIn * 1e6 * 1e4)).
    function _out(address a, address b, uint256 amountIn, uint24 fee) private view returns (uint256) {
        (uint256 pa, uint8 da) = registry.priceAndDecimals(a);
        (uint256 pb, uint8 db) = registry.priceAndDecimals(b);
        uint256 gross = Math.mulDiv(amountIn, pa * 10 ** db, pb * 10 ** da); // rounding: down (out)
        return Math.mulDiv(gross, uint256(1e6 - fee) * (1e4 - skewBps), 1e10); // rounding: down (out)
    }

    /// @dev in = ceil(out * pOut * 10^dIn * 1e6 * 1e4 / (pIn * 10^dOut * (1e6 - fee) * (1e4 - skew))).
    function _in(address a, address b, uint256 amountOut, uint24 fee) private view returns (uint256) {
        (uint256 pa, uint8 da) = registry.priceAndDecimals(a);
        (uint256 pb, uint8 db) = registry.priceAndDecimals(b);
        uint256 gross = Math.mulDiv(amountOut, 1e10, uint256(1e6 - fee) * (1e4 - skewBps), Math.Rounding.Ceil);
        return Math.mulDiv(gross, pb * 10 ** da, pa * 10 ** db, Math.Rounding.Ceil); // rounding: up (in)
    }

    function _checkPath(bytes calldata path) private pure {
        require(path.length >= _ADDR + _HOP && (path.length - _ADDR) % _HOP == 0, "path");
    }
}

/// @notice Forces ETH onto an address without calling it (SELFDESTRUCT in the creating transaction, EIP-6780).
contract ForceEth {
    constructor(address payable to) payable {
        selfdestruct(to);
    }
}

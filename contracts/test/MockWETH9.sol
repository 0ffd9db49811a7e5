// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Test-only WETH9 (deposit/withdraw of native ETH) with EIP-2612 permit, so the zap's ETH and
/// input-permit paths run against one real token. Mainnet WETH9 has no permit.
contract MockWETH9 is ERC20, ERC20Permit {
    error EthTransferFailed(address to, uint256 amount);

    constructor() ERC20("Wrapped Ether (test)", "WETH9") ERC20Permit("Wrapped Ether (test)") {}

    function deposit() external payable {
        _mint(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        _burn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert EthTransferFailed(msg.sender, amount);
    }

    receive() external payable {
        _mint(msg.sender, msg.value);
    }
}

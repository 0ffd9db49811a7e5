// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: a minimal OpenZeppelin ERC-20 exposing `_mint`/`_burn`, the gas benchmark's bound
/// for the share-token part of mint and redeem.
contract BenchERC20 is ERC20 {
    constructor() ERC20("Bench", "BENCH") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}

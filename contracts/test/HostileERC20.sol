// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: a token that turns hostile mid-life. `blacklist` blocks an account as sender or
/// receiver (USDC-style), `setReverting` makes every transfer revert, and `setSenderFeeBps` charges the
/// SENDER a fee on top of the amount (the receiver gets the full amount, the sender loses more).
contract HostileERC20 is ERC20 {
    error Blacklisted(address account);
    error TransfersDisabled();

    mapping(address => bool) public blacklisted;
    bool public reverting;
    uint256 public senderFeeBps;

    constructor() ERC20("Hostile", "HOST") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function blacklist(address account, bool on) external {
        blacklisted[account] = on;
    }

    function setReverting(bool on) external {
        reverting = on;
    }

    function setSenderFeeBps(uint256 bps) external {
        senderFeeBps = bps;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            if (reverting) revert TransfersDisabled();
            if (blacklisted[from]) revert Blacklisted(from);
            if (blacklisted[to]) revert Blacklisted(to);
            uint256 fee = (value * senderFeeBps + 9_999) / 10_000; // rounded up: always > 0 when bps > 0
            if (senderFeeBps != 0 && fee != 0) super._update(from, address(0), fee);
        }
        super._update(from, to, value);
    }
}

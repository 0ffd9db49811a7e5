// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Invariant-suite constituent: an ERC-20 with chosen decimals and an open mint that can turn
/// hostile mid-run, as the review's tokens do (issue 8 points 1 and 2).
/// Modes: Normal; RecipientFee (the recipient gets `feeBps` less: classic fee-on-transfer); SenderFee (the
/// sender pays `feeBps` on top of the amount, so its balance falls by more than it sent); Paused (every
/// transfer reverts); Blacklist (transfers from or to `blocked` revert); Reverting (every transfer reverts
/// without data).
contract HostileToken is ERC20 {
    enum Mode {
        Normal,
        RecipientFee,
        SenderFee,
        Paused,
        Blacklist,
        Reverting
    }

    error TokenPaused();
    error Blacklisted(address account);

    uint8 private immutable _decimals;
    Mode public mode;
    uint256 public feeBps;
    address public blocked;

    constructor(string memory name_, uint8 decimals_) ERC20(name_, name_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setMode(Mode mode_, uint256 feeBps_, address blocked_) external {
        mode = mode_;
        feeBps = feeBps_;
        blocked = blocked_;
    }

    /// @notice True when the token moves no tokens to or from `account` at all.
    function frozenFor(address account) external view returns (bool) {
        return mode == Mode.Paused || mode == Mode.Reverting || (mode == Mode.Blacklist && account == blocked);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        Mode m = mode;
        if (m == Mode.Paused) revert TokenPaused();
        if (m == Mode.Reverting) revert();
        if (m == Mode.Blacklist && (from == blocked || to == blocked)) revert Blacklisted(blocked);
        if (m == Mode.RecipientFee) {
            uint256 fee = (value * feeBps + 9_999) / 10_000; // up: always short when feeBps > 0
            super._update(from, address(0), fee);
            return super._update(from, to, value - fee);
        }
        if (m == Mode.SenderFee) {
            uint256 fee = (value * feeBps + 9_999) / 10_000;
            super._update(from, address(0), fee); // on top: the sender's balance falls by value + fee
        }
        super._update(from, to, value);
    }
}

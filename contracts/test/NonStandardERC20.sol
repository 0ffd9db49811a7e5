// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only ERC-20 with USDT-style `transfer`/`transferFrom` that return nothing, or (when
/// `returnFalse` is set) that return false without moving anything. Max allowance is not decreased.
contract NonStandardERC20 {
    // solhint-disable-next-line const-name-snakecase
    uint8 public constant decimals = 6; // the ERC-20 getter name
    bool public returnFalse;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    error Insufficient();

    function setReturnFalse(bool v) external {
        returnFalse = v;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external {
        if (_stopped()) return;
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (_stopped()) return;
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert Insufficient();
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        if (balanceOf[from] < amount) revert Insufficient();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }

    /// @dev When set, return a single `false` word and do nothing.
    function _stopped() private view returns (bool) {
        if (!returnFalse) return false;
        assembly ("memory-safe") {
            mstore(0x00, 0)
            return(0x00, 0x20)
        }
    }
}

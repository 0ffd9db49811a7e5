// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only target for the keeper's tests: a piece of work is a key whose counter must reach a
/// goal one step at a time. A step names the counter value it expects, so a step sent twice (a duplicate,
/// or a step another keeper already took) reverts instead of counting twice, as the protocol's rounds do.
contract KeeperToy {
    /// @notice The step names `expected` but the counter of `key` is at `current`.
    error StepNotNext(bytes32 key, uint256 expected, uint256 current);
    /// @notice Steps of `key` are refused (the tests' stand-in for a rebalance that reverts).
    error KeyBlocked(bytes32 key);

    event Stepped(bytes32 indexed key, uint256 counter, address by);

    mapping(bytes32 => uint256) public counter;
    mapping(bytes32 => bool) public blocked;

    /// @notice Advances `key` from `expected` to `expected + 1`.
    function step(bytes32 key, uint256 expected) external {
        if (blocked[key]) revert KeyBlocked(key);
        uint256 current = counter[key];
        if (current != expected) revert StepNotNext(key, expected, current);
        counter[key] = current + 1;
        emit Stepped(key, current + 1, msg.sender);
    }

    /// @notice Blocks or unblocks `key` (anyone: a test contract).
    function setBlocked(bytes32 key, bool value) external {
        blocked[key] = value;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The forge cheatcodes this suite uses (a subset of forge-std's `Vm`, declared here so the suite
/// needs no extra dependency). Address: keccak256("hevm cheat code").
interface Vm {
    function warp(uint256 timestamp) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function label(address account, string calldata name) external;
    function snapshotState() external returns (uint256 id);
    function revertToState(uint256 id) external returns (bool);
    function skip(bool skipTest) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert() external;
    function assertTrue(bool condition, string calldata error) external pure;
    function assertFalse(bool condition, string calldata error) external pure;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(string calldata left, string calldata right, string calldata error) external pure;
    function assertGe(uint256 left, uint256 right, string calldata error) external pure;
    function assertGt(uint256 left, uint256 right, string calldata error) external pure;
    function assertLe(uint256 left, uint256 right, string calldata error) external pure;
    function toString(uint256 value) external pure returns (string memory);
    function toString(address value) external pure returns (string memory);
    /// @dev Bytes as 0x-prefixed lowercase hex (e.g. revert data in a failure message).
    function toString(bytes calldata value) external pure returns (string memory);
}

/// @notice `vm` and the input bounding every handler uses.
abstract contract CheatBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev `x` mapped into [lo, hi] (inclusive) by modulo: uniform enough for fuzzing, never reverts.
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        uint256 span = hi - lo;
        if (span == type(uint256).max) return x;
        return lo + (x % (span + 1));
    }

    /// @dev EIP-170: forge's test EVM deploys contracts of any size unless told otherwise, so each setUp
    /// checks the production contracts it deployed are within mainnet's 24,576 bytes.
    function _assertEip170(address deployed, string memory name) internal view {
        vm.assertLe(deployed.code.length, 24_576, string.concat("EIP-170: deployed code above 24,576 bytes: ", name));
    }
}

/// @notice What forge reads from an invariant test contract to choose its targets.
abstract contract InvariantBase is CheatBase {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;
    address[] private _targetSenders;

    function _targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function _targetSelector(address target, bytes4[] memory selectors) internal {
        _targetSelectors.push(FuzzSelector(target, selectors));
    }

    function _targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }
}

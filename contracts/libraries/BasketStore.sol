// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Create3} from "@openzeppelin/contracts/utils/Create3.sol";

/// @title BasketStore
/// @notice Stores an immutable basket record `(address[] tokens, uint256[] units)` as the runtime code
/// of a data contract (the SSTORE2 pattern) at a CREATE3 address derived from a version number, and
/// reads it back with one EXTCODECOPY.
/// @dev Why: mint and redeem read every constituent and its units. From storage that is one cold
/// SLOAD (2,100 gas) per constituent; from code it is one cold account access (2,600) plus 3 gas per
/// word for the whole basket. CREATE3 makes the address a pure function of (vault, version), so the
/// vault keeps only a small version number in its hot slot instead of a 20-byte pointer in a slot of
/// its own. Baskets change only on rebalancing (rare, keeper-paid), where the write cost
/// (two contract creations, ~200 gas per byte) belongs.
///
/// Layout of the data (after a leading STOP byte that makes the contract uncallable): exactly the
/// memory image of two ABI arrays, `[n][token_0..token_{n-1}][n][unit_0..unit_{n-1}]`, 32 bytes each.
/// Reading copies it to free memory and points `tokens` and `units` into it: no decoding loop.
library BasketStore {
    /// @notice Deploys the record of version `version`; the caller guarantees equal lengths, n <= 32
    /// (far below the 24,576-byte code limit) and a version never used before by this contract.
    function write(uint256 version, address[] memory tokens, uint256[] memory units) internal returns (address) {
        bytes memory data = abi.encodePacked(uint256(tokens.length), tokens, uint256(units.length), units);
        // Init code: PUSH2 size, DUP1, PUSH1 0x0a, RETURNDATASIZE(0), CODECOPY, RETURNDATASIZE(0), RETURN
        // copies everything after its own 10 bytes (a STOP byte, then `data`) and returns it as code.
        bytes memory initCode = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df3", hex"00", data);
        return Create3.deploy(0, bytes32(version), initCode);
    }

    /// @notice The address of this contract's record `version`.
    function pointer(uint256 version) internal view returns (address) {
        return Create3.computeAddress(bytes32(version));
    }

    /// @notice Reads this contract's record `version` (which must have been written).
    function read(uint256 version) internal view returns (address[] memory tokens, uint256[] memory units) {
        address ptr = pointer(version);
        assembly ("memory-safe") {
            // Code size minus the leading STOP byte = 64 * n + 64 bytes.
            let size := sub(extcodesize(ptr), 1)
            tokens := mload(0x40)
            extcodecopy(ptr, tokens, 1, size)
            mstore(0x40, add(tokens, size))
            // tokens = [n][n words]; units start right after: tokens + 32 * (n + 1).
            units := add(tokens, shl(5, add(mload(tokens), 1)))
        }
    }
}

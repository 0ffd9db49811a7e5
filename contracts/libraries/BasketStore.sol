// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title BasketStore
/// @notice Stores an immutable basket record `(address[] tokens, uint256[] units)` as the runtime code
/// of a data contract (the SSTORE2 pattern) and reads it back with one EXTCODECOPY.
/// @dev Why: mint and redeem read every constituent and its units. From storage that is one cold
/// SLOAD (2,100 gas) per constituent; from code it is one cold account access (2,600) plus 3 gas per
/// word for the whole basket. Baskets change only on rebalancing (rare, keeper-paid), so the
/// write cost (contract creation, ~200 gas per byte) lands where it should.
///
/// Layout of the data (after a leading STOP byte that makes the contract uncallable): exactly the
/// memory image of two ABI arrays, `[n][token_0..token_{n-1}][n][unit_0..unit_{n-1}]`, 32 bytes each.
/// Reading copies it to free memory and points `tokens` and `units` into it: no decoding loop.
library BasketStore {
    /// @notice Creating the data contract failed.
    error BasketWriteFailed();

    /// @notice Deploys a data contract holding `tokens` and `units`; returns its address.
    /// @dev The caller guarantees equal lengths and n <= 32 (so the code stays far below 24,576 bytes).
    function write(address[] memory tokens, uint256[] memory units) internal returns (address pointer) {
        bytes memory data = abi.encodePacked(uint256(tokens.length), tokens, uint256(units.length), units);
        // Init code: PUSH2 size, DUP1, PUSH1 0x0a, RETURNDATASIZE(0), CODECOPY, RETURNDATASIZE(0), RETURN
        // copies everything after its own 10 bytes (a STOP byte, then `data`) and returns it as code.
        bytes memory initCode = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df3", hex"00", data);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert BasketWriteFailed();
    }

    /// @notice Reads the basket record at `pointer`.
    function read(address pointer) internal view returns (address[] memory tokens, uint256[] memory units) {
        assembly ("memory-safe") {
            // Code size minus the leading STOP byte = 64 * n + 64 bytes.
            let size := sub(extcodesize(pointer), 1)
            tokens := mload(0x40)
            extcodecopy(pointer, tokens, 1, size)
            mstore(0x40, add(tokens, size))
            // tokens = [n][n words]; units start right after: tokens + 32 * (n + 1).
            units := add(tokens, shl(5, add(mload(tokens), 1)))
        }
    }
}

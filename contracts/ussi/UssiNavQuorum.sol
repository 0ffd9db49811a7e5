// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IQuorumVerifier} from "../interfaces/IQuorumVerifier.sol";

/// @title UssiNavQuorum
/// @notice The m-of-n NAV signer set of the USSI vault (admin-managed, as in `QuorumVerifier`).
/// Reports are verified by `UssiNavLib.verify` under the NAV-report EIP-712 domain ("USSI Vault",
/// "1", this chain, this contract).
/// @dev Not `QuorumVerifier`: that base is an OpenZeppelin EIP712, which holds one domain per
/// contract, and the vault's `eip712Domain()` (EIP-5267) must describe the token's permit domain.
/// The NAV domain separator is built per call from `block.chainid`, so a fork's reports do not
/// verify on the other chain.
abstract contract UssiNavQuorum is IQuorumVerifier, AccessControl {
    // == Storage ==
    mapping(address account => bool) private _isSigner;
    uint128 private _signerCount;
    uint128 private _quorum;

    constructor(address admin, address[] memory signers, uint256 quorum_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _updateSigners(signers, new address[](0), quorum_);
    }

    /// @inheritdoc IQuorumVerifier
    function updateSigners(address[] calldata add, address[] calldata remove, uint256 newQuorum)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _updateSigners(add, remove, newQuorum);
    }

    /// @inheritdoc IQuorumVerifier
    function isSigner(address account) external view returns (bool) {
        return _isSigner[account];
    }

    /// @inheritdoc IQuorumVerifier
    function signerCount() external view returns (uint256) {
        return _signerCount;
    }

    /// @inheritdoc IQuorumVerifier
    function quorum() public view returns (uint256) {
        return _quorum;
    }

    /// @dev The signer set, for `UssiNavLib.verify`.
    function _signerSet() internal view returns (mapping(address => bool) storage) {
        return _isSigner;
    }

    function _updateSigners(address[] memory add, address[] memory remove, uint256 newQuorum) private {
        uint256 n = _signerCount;
        for (uint256 i = 0; i < remove.length; ++i) {
            address s = remove[i];
            if (!_isSigner[s]) revert InvalidSignerUpdate(s);
            _isSigner[s] = false;
            --n;
            emit SignerUpdated(s, false);
        }
        for (uint256 i = 0; i < add.length; ++i) {
            address s = add[i];
            if (s == address(0) || _isSigner[s]) revert InvalidSignerUpdate(s);
            _isSigner[s] = true;
            ++n;
            emit SignerUpdated(s, true);
        }
        if (newQuorum == 0 || newQuorum > n) revert InvalidQuorum(newQuorum, n);
        // Both fit: n counts distinct addresses and newQuorum <= n.
        _signerCount = uint128(n);
        _quorum = uint128(newQuorum);
        emit QuorumUpdated(newQuorum);
    }
}

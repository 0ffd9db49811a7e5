// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IQuorumVerifier} from "../interfaces/IQuorumVerifier.sol";

/// @title QuorumVerifier
/// @notice Base for oracles that accept EIP-712 reports signed by m of n distinct signers.
/// @dev Inheritors hash their report struct and call `_verifyQuorum`; replay protection (rounds,
/// expiry) is theirs, since it depends on the report. The EIP-712 domain binds chain id and this
/// contract's address, so a report signed for one deployment or chain is worthless on another.
abstract contract QuorumVerifier is IQuorumVerifier, EIP712, AccessControl {
    // == Storage ==
    mapping(address account => bool) private _isSigner;
    uint128 private _signerCount;
    uint128 private _quorum;

    // == Constructor ==
    constructor(string memory name, string memory version, address admin, address[] memory signers, uint256 quorum_)
        EIP712(name, version)
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _updateSigners(signers, new address[](0), quorum_);
    }

    // == External ==
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
    function quorum() external view returns (uint256) {
        return _quorum;
    }

    /// @notice The EIP-712 domain separator signers sign under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // == Internal ==
    /// @dev Reverts unless at least `quorum` signatures over the typed-data hash of `structHash`
    /// come from distinct members of the signer set, given in strictly ascending signer order.
    /// Extra signatures beyond the quorum are checked too: one bad signature rejects the report.
    function _verifyQuorum(bytes32 structHash, bytes[] calldata signatures) internal view {
        bytes32 digest = _hashTypedDataV4(structHash);
        address previous = address(0);
        uint256 count = signatures.length;
        for (uint256 i = 0; i < count; ++i) {
            // ECDSA.recover rejects malleable (high-s) signatures and reverts on garbage.
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotAscending(previous, signer);
            if (!_isSigner[signer]) revert UnknownSigner(signer);
            previous = signer;
        }
        if (count < _quorum) revert QuorumNotMet(count, _quorum);
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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IQuorumVerifier
/// @notice An m-of-n set of distinct off-chain signers whose EIP-712 signatures authorise reports.
/// @dev Shared by the weight oracle (SSI), the signal oracle (SANX) and the NAV oracle (USSI).
interface IQuorumVerifier {
    /// @notice A signature recovered to an address that is not in the signer set.
    error UnknownSigner(address signer);
    /// @notice Signatures must be ordered by strictly ascending signer address, which also proves them distinct.
    error SignersNotAscending(address previous, address next);
    /// @notice Fewer valid distinct signatures than the quorum.
    error QuorumNotMet(uint256 have, uint256 need);
    /// @notice A quorum of zero, or larger than the signer set.
    error InvalidQuorum(uint256 quorum, uint256 signerCount);
    /// @notice The zero address, or an address added twice / removed while absent.
    error InvalidSignerUpdate(address signer);

    /// @notice Emitted when a signer joins or leaves the set.
    event SignerUpdated(address indexed signer, bool active);
    /// @notice Emitted when the quorum changes.
    event QuorumUpdated(uint256 quorum);

    /// @notice Adds and removes signers, then sets the quorum; admin only.
    /// @dev Validated as a whole: the quorum must be between 1 and the resulting signer count.
    function updateSigners(address[] calldata add, address[] calldata remove, uint256 newQuorum) external;

    /// @notice Whether `account` is in the signer set.
    function isSigner(address account) external view returns (bool);

    /// @notice The number of signers in the set.
    function signerCount() external view returns (uint256);

    /// @notice The number of distinct signatures a report needs.
    function quorum() external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISanxBasketGate} from "../interfaces/ISanxBasketGate.sol";
import {ISanxBasket, ISanxController} from "../interfaces/ISanxController.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";

/// @title SanxBasket
/// @notice The gate between SANX membership and the SANX IndexVault: see `ISanxBasketGate`.
/// @dev No admin and no mutable configuration: controller, vault, weight oracle and reserve asset are
/// fixed at deployment, so the only ways to move the vault's targets are a quorum-signed weight
/// report over the current membership, and the only way to change membership is the controller
/// (signals, delay, governance cancel, red button).
contract SanxBasket is ISanxBasketGate {
    struct Change {
        address asset;
        bool added;
        uint64 at; // {unix s}
    }

    // == Immutables ==
    ISanxController private immutable _controller;
    IIndexVault private immutable _vault;
    address private immutable _weightOracle;
    address private immutable _reserve;

    // == Storage ==
    uint64 private _recorded; // {changes} recorded since deployment
    uint64 private _answered; // {changes} answered by a forwarded report
    Change private _last;

    // == Constructor ==
    /// @param controller_ The SanxController (which must `setBasket(this)`).
    /// @param vault_ The SANX IndexVault (which must grant this gate ORACLE_ROLE, and not the oracle).
    /// @param weightOracle_ The WeightOracle that relays signed SANX weight reports here.
    /// @param reserveAsset_ What the basket holds with no member (e.g. USDC); needs a price feed.
    constructor(ISanxController controller_, IIndexVault vault_, address weightOracle_, address reserveAsset_) {
        if (
            address(controller_) == address(0) || address(vault_) == address(0) || weightOracle_ == address(0)
                || reserveAsset_ == address(0)
        ) revert ZeroAddress();
        _controller = controller_;
        _vault = vault_;
        _weightOracle = weightOracle_;
        _reserve = reserveAsset_;
    }

    // == External ==
    /// @inheritdoc ISanxBasket
    /// @dev Records the change and emits `TargetsDue`. Never reverts for the controller: a failing hook would block the execution it reports.
    function onMembershipChanged(address asset, bool added) external {
        if (msg.sender != address(_controller)) revert NotController(msg.sender);
        // Cannot overflow: one change per executed action, far below 2^64.
        uint64 change;
        unchecked {
            change = ++_recorded;
        }
        _last = Change({asset: asset, added: added, at: uint64(block.timestamp)});
        // The controller records the change before calling (CEI), so the count is the new one.
        emit TargetsDue(asset, added, change, _controller.members().length);
    }

    /// @inheritdoc ISanxBasketGate
    function setTargets(uint64, address[] calldata tokens, uint256[] calldata weights) external {
        // == Checks ==
        if (msg.sender != _weightOracle) revert NotWeightOracle(msg.sender);
        ISanxController c = _controller;
        if (c.paused()) revert ControllerPaused();
        uint256 members = c.members().length;
        if (members == 0) {
            if (tokens.length != 1) revert ConstituentCountMismatch(tokens.length, 1);
            if (tokens[0] != _reserve) revert NotReserveAsset(tokens[0], _reserve);
            // The WeightOracle already requires a sum of 1e18; the gate does not rely on its caller.
            if (weights.length != 1 || weights[0] != 1e18) revert ReserveWeightNotOne(weights.length == 1 ? weights[0] : 0);
        } else {
            if (tokens.length != members) revert ConstituentCountMismatch(tokens.length, members);
            for (uint256 i = 0; i < tokens.length; ++i) {
                if (!c.isMember(tokens[i])) revert NotAMember(tokens[i]);
            }
            // Same length and every token a member gives set equality once duplicates are excluded;
            // the vault's `WeightsLib.check` reverts on a duplicate within this same call.
        }

        // The vault's rounds advance by one (issue 13): the gate numbers the targets it forwards itself,
        // from the vault's current round, whatever the report's own round (the WeightOracle's replay key).
        (uint64 current,,) = _vault.targets();
        uint64 vaultRound = current + 1; // checked: the vault's rounds only ever grow by one through here

        // == Effects ==
        uint64 answered = _recorded;
        _answered = answered;
        emit TargetsForwarded(vaultRound, answered, tokens, weights);

        // == Interactions ==
        // The vault is immutable and trusted; it re-checks weights, feeds, duplicates and the round.
        _vault.setTargets(vaultRound, tokens, weights);
    }

    // == Views ==
    /// @inheritdoc ISanxBasketGate
    function controller() external view returns (ISanxController) {
        return _controller;
    }

    /// @inheritdoc ISanxBasketGate
    function vault() external view returns (IIndexVault) {
        return _vault;
    }

    /// @inheritdoc ISanxBasketGate
    function weightOracle() external view returns (address) {
        return _weightOracle;
    }

    /// @inheritdoc ISanxBasketGate
    function reserveAsset() external view returns (address) {
        return _reserve;
    }

    /// @inheritdoc ISanxBasketGate
    function expectedTokens() external view returns (address[] memory tokens) {
        tokens = _controller.members();
        if (tokens.length == 0) {
            tokens = new address[](1);
            tokens[0] = _reserve;
        }
    }

    /// @inheritdoc ISanxBasketGate
    function changes() external view returns (uint64 recorded, uint64 answered) {
        return (_recorded, _answered);
    }

    /// @inheritdoc ISanxBasketGate
    function targetsDue() external view returns (bool) {
        return _recorded > _answered;
    }

    /// @inheritdoc ISanxBasketGate
    function lastChange() external view returns (address asset, bool added, uint64 at) {
        Change memory last = _last;
        return (last.asset, last.added, last.at);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IndexVault} from "../../../contracts/IndexVault.sol";
import {Rebalancer} from "../../../contracts/rebalance/Rebalancer.sol";
import {WeightOracle} from "../../../contracts/oracles/WeightOracle.sol";
import {PriceRegistry} from "../../../contracts/oracles/PriceRegistry.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {OracleAdapter} from "../mocks/OracleAdapter.sol";
import {CheatBase} from "../utils/Vm.sol";

/// @notice The deployment every handler drives and the ghost state they share: one place to adapt when a
/// contract's deployment changes. Ghosts: shares minted and burned by users, fee shares accrued (measured
/// at each time warp), and the first violation a handler saw (handlers cannot fail a run themselves:
/// a reverting handler call is only counted as a revert, so they record it and `invariant_handlerChecks`
/// fails on it).
contract Env is CheatBase {
    IndexVault public vault;
    Rebalancer public rebalancer;
    WeightOracle public oracle;
    PriceRegistry public registry;
    OracleAdapter public adapter;
    HostileToken[] public tokens; // 6, 8, 18, 24 decimals; tokens[HOSTILE] can turn hostile
    MockV3Aggregator[] public feeds; // 8 decimals, heartbeat HEARTBEAT
    address[] public actors;
    uint256[] public actorKeys;
    uint256[] public signerKeys; // ascending by address
    address public admin;
    address public guardian;
    address public keeper;
    address public feeRecipient;

    uint256 public constant HOSTILE = 0;
    uint256 public constant HEARTBEAT = 1 days;

    /// @dev Storage slot of IndexVault's packed `Hot` struct (scale [0,64), lastAccrual [64,96)): the
    /// stored time of the last accrual is not exposed by any view (feeState reports it accrued to now).
    uint256 public hotSlot;

    // == Ghosts ==
    uint256 public ghostMinted; // {shares}
    uint256 public ghostBurned; // {shares}
    uint256 public ghostFeeShares; // {shares} accrued, measured across warps
    string public violation; // first handler-detected violation, "" if none
    uint256 public keeperLossUsd; // {1e18 USD} oracle value lost in trades, this round
    uint256 public keeperTradedUsd; // {1e18 USD} oracle value sold, this round
    uint256 public requiredTurnoverUsd; // {1e18 USD} value the targets required to sell, at this round's open
    uint64 public turnoverRound; // the targets round whose first open set `keepFraction`
    mapping(address token => uint256) public keepFraction; // {WAD} of the position that must stay: 1 - excess x (1 + margin) / balance at first open
    mapping(address token => uint256) public heldFraction; // {WAD} of the first open's position per share still held: x (B - sold) / B per sale

    function init(
        IndexVault vault_,
        Rebalancer rebalancer_,
        WeightOracle oracle_,
        PriceRegistry registry_,
        OracleAdapter adapter_,
        HostileToken[] memory tokens_,
        MockV3Aggregator[] memory feeds_,
        uint256[] memory actorKeys_,
        uint256[] memory signerKeys_,
        address[4] memory roles // admin, guardian, keeper, feeRecipient
    ) external {
        vault = vault_;
        rebalancer = rebalancer_;
        oracle = oracle_;
        registry = registry_;
        adapter = adapter_;
        tokens = tokens_;
        feeds = feeds_;
        actorKeys = actorKeys_;
        for (uint256 i = 0; i < actorKeys_.length; ++i) {
            actors.push(vm.addr(actorKeys_[i]));
        }
        signerKeys = signerKeys_;
        admin = roles[0];
        guardian = roles[1];
        keeper = roles[2];
        feeRecipient = roles[3];
        hotSlot = _findHotSlot();
    }

    /// @dev Finds the hot slot right after deployment (scale = 1e18, lastAccrual = now). If the vault's
    /// layout changes, this reverts: adapt it and `storedLastAccrual`.
    function _findHotSlot() private view returns (uint256) {
        for (uint256 slot = 0; slot < 64; ++slot) {
            uint256 word = uint256(vm.load(address(vault), bytes32(slot)));
            if (uint64(word) == 1e18 && uint32(word >> 64) == block.timestamp) return slot;
        }
        revert("Env: IndexVault hot slot not found; adapt _findHotSlot to the vault's storage layout");
    }

    /// @notice {unix s} the vault's stored last accrual (not accrued to now).
    function storedLastAccrual() external view returns (uint256) {
        return uint32(uint256(vm.load(address(vault), bytes32(hotSlot))) >> 64);
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function signerCount() external view returns (uint256) {
        return signerKeys.length;
    }

    function allTokens() external view returns (HostileToken[] memory) {
        return tokens;
    }

    function allActors() external view returns (address[] memory) {
        return actors;
    }

    // == Ghost updates (handlers only; the test trusts its own handlers) ==
    function addMinted(uint256 shares) external {
        ghostMinted += shares;
    }

    function addBurned(uint256 shares) external {
        ghostBurned += shares;
    }

    function addFeeShares(uint256 shares) external {
        ghostFeeShares += shares;
    }

    function addTrade(uint256 soldUsd, uint256 lostUsd) external {
        keeperTradedUsd += soldUsd;
        keeperLossUsd += lostUsd;
    }

    function resetRound(uint256 requiredUsd) external {
        keeperTradedUsd = 0;
        keeperLossUsd = 0;
        requiredTurnoverUsd = requiredUsd;
    }

    /// @dev A targets round's first open: the fraction of each position that must stay, from the suite's own
    /// valuation (0 for a token leaving the basket), and all of it still held.
    function startTurnoverRound(uint64 round, address[] memory t, uint256[] memory keep) external {
        turnoverRound = round;
        for (uint256 i = 0; i < t.length; ++i) {
            keepFraction[t[i]] = keep[i];
            heldFraction[t[i]] = 1e18;
        }
    }

    /// @dev A sale of `amount` out of the vault's balance `balanceBefore` {tok}: the fraction held shrinks by
    /// (B - amount) / B, rounded up (in the keeper's favour: the invariant must not fail on rounding).
    function addSold(address token, uint256 amount, uint256 balanceBefore) external {
        if (balanceBefore == 0) return;
        uint256 left = balanceBefore > amount ? balanceBefore - amount : 0;
        heldFraction[token] = Math.mulDiv(heldFraction[token], left, balanceBefore, Math.Rounding.Ceil);
    }

    function fail(string memory what) external {
        if (bytes(violation).length == 0) violation = what;
    }
}

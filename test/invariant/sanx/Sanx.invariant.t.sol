// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {IndexVault} from "../../../contracts/IndexVault.sol";
import {IRebalancer} from "../../../contracts/interfaces/IRebalancer.sol";
import {ISanxController} from "../../../contracts/interfaces/ISanxController.sol";
import {ISignalOracle} from "../../../contracts/interfaces/ISignalOracle.sol";
import {IWeightOracle} from "../../../contracts/interfaces/IWeightOracle.sol";
import {PriceRegistry} from "../../../contracts/oracles/PriceRegistry.sol";
import {WeightOracle} from "../../../contracts/oracles/WeightOracle.sol";
import {Rebalancer} from "../../../contracts/rebalance/Rebalancer.sol";
import {SanxBasket} from "../../../contracts/sanx/SanxBasket.sol";
import {SanxController} from "../../../contracts/sanx/SanxController.sol";
import {SignalOracle} from "../../../contracts/sanx/SignalOracle.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {OracleAdapter} from "../mocks/OracleAdapter.sol";
import {InvariantBase} from "../utils/Vm.sol";
import {SanxHandler, SanxStack} from "./SanxHandler.sol";

/// @title SANX invariants (issue 8)
/// @notice The real SANX stack as `sanxStackFixture` deploys it in the Hardhat tests: PriceRegistry, the
/// WeightOracle (2 of 3), the SANX IndexVault, SanxController (3-day delay, 1-day notice), SignalOracle
/// (2 of 3, universe UNI, AAVE, COMP; skew 1 hour, validity up to 7 days: a relay can come after the
/// delay), the SanxBasket gate holding the vault's ORACLE_ROLE, and a Rebalancer over an oracle-price
/// venue; one 1-day TimelockController is every admin. Driven by `SanxHandler`.
abstract contract SanxSetup is InvariantBase {
    SanxHandler internal handler;
    SanxStack internal s;
    HostileToken[] internal assets;

    function setUp() public {
        vm.warp(1_750_000_000);
        TimelockController timelock = new TimelockController(1 days, new address[](0), new address[](0), address(this));
        address admin = address(timelock);
        s.admin = admin;
        s.guardian = address(0x6A);
        s.keeper = address(0x6E);
        s.registry = new PriceRegistry(admin);
        MockV3Aggregator[] memory feeds = new MockV3Aggregator[](4);
        int256[4] memory prices = [int256(10e8), 300e8, 45e8, 1e8]; // UNI, AAVE, COMP, USDC
        string[4] memory names = ["UNI", "AAVE", "COMP", "USDC"];
        HostileToken reserve;
        for (uint256 i = 0; i < 4; ++i) {
            HostileToken t = new HostileToken(names[i], i == 3 ? 6 : 18);
            if (i < 3) assets.push(t);
            else reserve = t;
            feeds[i] = new MockV3Aggregator(8, prices[i]);
            vm.prank(admin);
            s.registry.setFeed(address(t), address(feeds[i]), 1 days);
        }
        uint256[] memory weightKeys = _sortedKeys(0x5700);
        uint256[] memory signalKeys = _sortedKeys(0x5A00);
        s.weightOracle = new WeightOracle(admin, address(s.registry), _addrs(weightKeys), 2);
        s.vault = new IndexVault(
            IndexVault.Config({
                name: "SANX",
                symbol: "SANX",
                admin: admin,
                priceRegistry: address(s.registry),
                initialNavPerShare: 100e18,
                maxFeeRate: 0.5e18,
                feeRate: 0.02e18,
                feeRecipient: address(0xFEE)
            })
        );
        s.controller = new SanxController(admin, s.guardian);
        s.signalOracle = new SignalOracle(admin, _addrs(signalKeys), 2, s.controller, 1 hours, 7 days);
        s.gate = new SanxBasket(s.controller, s.vault, address(s.weightOracle), address(reserve));
        s.rebalancer = new Rebalancer(
            address(s.vault),
            admin,
            IRebalancer.Limits({
                maxSlippageBps: 0,
                toleranceBps: 500,
                cooldown: 60,
                maxWindow: 1 days,
                feeAccrualInterval: 7 days,
                maxTradeUsd: type(uint96).max
            })
        );
        s.adapter = new OracleAdapter(s.registry);
        _assertEip170(address(s.vault), "IndexVault");
        _assertEip170(address(s.controller), "SanxController");
        _assertEip170(address(s.signalOracle), "SignalOracle");
        _assertEip170(address(s.gate), "SanxBasket");

        address[] memory universe = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            universe[i] = address(assets[i]);
        }
        vm.startPrank(admin);
        s.vault.grantRole(s.vault.GUARDIAN_ROLE(), s.guardian);
        s.vault.grantRole(s.vault.ORACLE_ROLE(), address(s.gate));
        s.vault.grantRole(s.vault.REBALANCER_ROLE(), address(s.rebalancer));
        s.rebalancer.grantRole(s.rebalancer.KEEPER_ROLE(), s.keeper);
        s.rebalancer.setAdapter(address(s.adapter), true);
        s.controller.grantRole(s.controller.SIGNAL_SOURCE_ROLE(), address(s.signalOracle));
        s.controller.setBasket(s.gate);
        s.signalOracle.updateUniverse(universe, new address[](0));
        vm.stopPrank();

        address[] memory actors = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            actors[i] = address(uint160(0xA000 + i));
        }
        handler = new SanxHandler(s, assets, reserve, feeds, signalKeys, weightKeys, actors);
        // The reserve target (USDC at 1e18) through the gate, as `sanx:deploy` does, and a first holder.
        _reserveReport(reserve, weightKeys);
        handler.mint(0, 1_000e18, 0);
        vm.assertEq(handler.violation(), "", "setup: first mint");
        _targetContract(address(handler));
        _targetSelector(address(handler), handler.selectors());
    }

    function _reserveReport(HostileToken reserve, uint256[] memory keys) internal {
        address[] memory t = new address[](1);
        t[0] = address(reserve);
        uint256[] memory w = new uint256[](1);
        w[0] = 1e18;
        IWeightOracle.WeightReport memory r = IWeightOracle.WeightReport({
            index: address(s.gate),
            round: 1,
            validAfter: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 1 hours),
            constituents: t,
            weights: w
        });
        bytes32 digest = s.weightOracle.reportDigest(r);
        bytes[] memory sigs = new bytes[](2);
        for (uint256 k = 0; k < 2; ++k) {
            (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(keys[k], digest);
            sigs[k] = abi.encodePacked(rr, ss, v);
        }
        s.weightOracle.submit(r, sigs);
    }

    function _sortedKeys(uint256 base) internal pure returns (uint256[] memory keys) {
        keys = new uint256[](3);
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = base + i;
        }
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _addrs(uint256[] memory keys) internal pure returns (address[] memory a) {
        a = new address[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            a[i] = vm.addr(keys[i]);
        }
    }
}

/// @notice The SANX invariants over `SanxSetup` (the regression tests share the setup, not the invariants).
contract SanxInvariants is SanxSetup {
    /// @notice An executed action never ran before its due day (signal day + delay) nor before the minimum
    /// notice after its relay, nor during the red button; a scheduled one was due no sooner than both;
    /// every other check the handler makes inside a call (a due action executes, a correctly formed mint
    /// after a sub-$10 donation succeeds, a redeem succeeds) holds.
    function invariant_handlerChecks() public view {
        vm.assertEq(handler.violation(), "", "sanx handler check failed");
    }

    /// @notice No relayed signal, in any order or during the red button, makes another validly signed,
    /// unexpired signal for a different day unusable: each such signal of the pool is relayed in a
    /// snapshot and must be accepted, or refused only with `PendingActionDue` (execute the due action
    /// first, which anyone may).
    function invariant_signalsStayUsable() public {
        uint256 n = handler.poolSize();
        for (uint256 i = 0; i < n; ++i) {
            if (!handler.usable(i)) continue;
            (ISignalOracle.Signal memory sig, bytes[] memory sigs) = handler.signalAndSigs(i);
            uint256 snap = vm.snapshotState();
            try s.signalOracle.submitSignal(sig, sigs) {} catch (bytes memory err) {
                vm.assertTrue(
                    handler.allowedRefusal(sig.asset, err),
                    string.concat("sanx: usable signal refused: ", vm.toString(err))
                );
            }
            vm.revertToState(snap);
        }
    }

    /// @notice While the red button is pressed no pending action executes (tried in a snapshot, by anyone).
    function invariant_redButtonBlocksExecution() public {
        if (!s.controller.paused()) return;
        for (uint256 i = 0; i < assets.length; ++i) {
            (ISanxController.ActionKind kind,,) = s.controller.pending(address(assets[i]));
            if (kind == ISanxController.ActionKind.None) continue;
            uint256 snap = vm.snapshotState();
            vm.warp(block.timestamp + 30 days); // due, whatever its time
            vm.prank(address(0xBEEF));
            try s.controller.execute(address(assets[i])) {
                vm.assertTrue(false, "sanx: executed during the red button");
            } catch {}
            vm.revertToState(snap);
        }
    }

    /// @notice Solvency through membership changes: every constituent balance >= ceil(S * unit / 1e18).
    function invariant_solvency() public view {
        uint256 supply = s.vault.effectiveSupply();
        (address[] memory t, uint256[] memory stored, uint256 scale) = s.vault.rawBasket();
        for (uint256 i = 0; i < t.length; ++i) {
            uint256 owed = Math.mulDiv(supply, stored[i] * scale, 1e36, Math.Rounding.Ceil);
            vm.assertGe(IERC20(t[i]).balanceOf(address(s.vault)), owed, "sanx solvency: balance below supply x unit");
        }
    }

    /// @notice The gate: once every membership change is answered, the vault's targets are exactly the
    /// controller's members (or the reserve alone), as a set.
    function invariant_targetsAreMembership() public view {
        if (s.gate.targetsDue()) return;
        (, address[] memory tt,) = s.vault.targets();
        address[] memory want = s.gate.expectedTokens();
        vm.assertEq(tt.length, want.length, "sanx: target count != membership");
        for (uint256 i = 0; i < want.length; ++i) {
            bool found;
            for (uint256 j = 0; j < tt.length; ++j) {
                if (tt[j] == want[i]) found = true;
            }
            vm.assertTrue(found, "sanx: a member is missing from the vault's targets");
        }
    }
}

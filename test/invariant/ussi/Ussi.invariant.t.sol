// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IIndexValuation} from "../../../contracts/interfaces/IIndexValuation.sol";
import {IUssiVault} from "../../../contracts/interfaces/IUssiVault.sol";
import {UssiVault} from "../../../contracts/ussi/UssiVault.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {InvariantBase} from "../utils/Vm.sol";
import {UssiHandler} from "./UssiHandler.sol";

contract FixedValuation is IIndexValuation {
    function navPerShare() external pure returns (uint256) {
        return 100e18;
    }
}

/// @title USSI v2 accounting invariants (issue 9)
/// @notice UssiVault v2 (requests settle at the next NAV per epoch; UssiNavLib is an external library,
/// which forge links itself) behind a 1-day TimelockController admin, driven by `UssiHandler`. The
/// invariants: USDC held covers what is reserved for funded claims plus the open epoch's deposit USDC;
/// a request is claimed at most once (the vault's flag matches the handler's ghost); the share supply
/// is exactly what settlements minted less what they and instant redemptions burned (each call's own
/// change is checked in the handler); claims and fulfilment never need a fresh NAV or an unpaused vault
/// (checked in the handler: a due claim or a funded fulfil that reverts is a violation).
contract UssiInvariants is InvariantBase {
    UssiVault internal ussi;
    HostileToken internal usdc;
    UssiHandler internal handler;

    function setUp() public {
        vm.warp(1_750_000_000);
        usdc = new HostileToken("USDC", 6);
        HostileToken index = new HostileToken("MAG7", 18);
        TimelockController timelock = new TimelockController(1 days, new address[](0), new address[](0), address(this));
        uint256[] memory keys = new uint256[](3);
        address[] memory signers = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = 0x5500 + i;
        }
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        for (uint256 i = 0; i < 3; ++i) {
            signers[i] = vm.addr(keys[i]);
        }
        address[3] memory roles = [address(0x57), address(0x815C), address(0x7E0)]; // strategy, risk, venue
        ussi = new UssiVault(
            UssiVault.Config({
                usdc: IERC20Metadata(address(usdc)),
                indexToken: IERC20(address(index)),
                indexValuation: new FixedValuation(),
                admin: address(timelock),
                strategy: roles[0],
                risk: roles[1],
                signers: signers,
                quorum: 2,
                limits: IUssiVault.Limits({
                    maxNavAge: 1 days,
                    maxNavChangeBps: 50,
                    maxNetDeltaBps: 10_000,
                    bufferTargetBps: 1_000,
                    indexHaircutBps: 100,
                    instantCapBps: 2_000,
                    minRequestUsd: 10e18
                })
            })
        );
        _assertEip170(address(ussi), "UssiVault");
        // The timelock is the only admin: the venue whitelist is its call (vm.prank is faithful here).
        vm.prank(address(timelock));
        ussi.setVenue(roles[2], true);
        address[] memory actors = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            actors[i] = address(uint160(0xA000 + i));
        }
        handler = new UssiHandler(ussi, usdc, index, roles, actors, keys);
        handler.report(0); // a first fresh NAV (1 USD per USSI), settles the empty epoch 0
        _targetContract(address(handler));
        _targetSelector(address(handler), handler.selectors());
    }

    /// @notice USDC held >= USDC reserved for funded, unclaimed redemptions + the open epoch's deposit USDC.
    function invariant_usdcCoversReservedAndPendingDeposits() public view {
        uint256 pending = ussi.epochInfo(ussi.currentEpoch()).depositUsdc;
        vm.assertGe(usdc.balanceOf(address(ussi)), ussi.reservedAssets() + pending, "ussi: USDC below reserved + pending deposits");
        (uint256 owed, uint256 funded) = ussi.redemptionFunding();
        vm.assertLe(funded, owed, "ussi: funded above owed");
    }

    /// @notice Each request is claimed at most once: the vault's flag is set exactly for the requests
    /// the handler saw claimed (a second payout would be caught in `UssiHandler.claim`).
    function invariant_claimedAtMostOnce() public view {
        uint256 n = ussi.requestCount();
        for (uint256 id = 0; id < n; ++id) {
            vm.assertTrue(ussi.request(id).claimed == handler.ghostClaimed(id), "ussi: claimed flag != claims seen");
        }
    }

    /// @notice Share supply changes only at settlement and instant redemption.
    function invariant_supplyOnlyThroughSettlement() public view {
        vm.assertEq(
            ussi.totalSupply(),
            handler.ghostSettledMinted() - handler.ghostSettledBurned() - handler.ghostInstantBurned(),
            "ussi: supply != settled minted - settled burned - instant burned"
        );
    }

    function invariant_handlerChecks() public view {
        vm.assertEq(handler.violation(), "", "ussi handler check failed");
    }
}

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

/// @title USSI accounting invariants (issue 9), SKELETON
/// @notice On today's UssiVault; the `ussi` branch redesigns the flow (settlement at the next NAV). The
/// invariants are the issue's: assets >= claims owed + reserved, FIFO order, no double claim (checked in
/// the handler), share supply only through minting and settlement.
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
        address strategy = address(0x57);
        ussi = new UssiVault(
            UssiVault.Config({
                usdc: IERC20Metadata(address(usdc)),
                indexToken: IERC20(address(index)),
                indexValuation: new FixedValuation(),
                admin: address(timelock),
                strategy: strategy,
                risk: address(0x815C),
                signers: signers,
                quorum: 2,
                limits: IUssiVault.Limits({
                    maxNavAge: 1 days,
                    maxNavChangeBps: 500,
                    maxNetDeltaBps: 10_000,
                    bufferTargetBps: 1_000,
                    indexHaircutBps: 100,
                    indexLockPeriod: 1 days
                })
            })
        );
        address[] memory actors = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            actors[i] = address(uint160(0xA000 + i));
        }
        handler = new UssiHandler(ussi, usdc, strategy, address(timelock), actors, keys);
        handler.report(100); // a first fresh NAV (unchanged)
        _targetContract(address(handler));
        _targetSelector(address(handler), handler.selectors());
    }

    /// @notice The vault's USDC covers every fulfilled, unclaimed request (reserved == what is owed).
    function invariant_assetsCoverClaims() public view {
        vm.assertEq(ussi.reservedAssets(), handler.ghostOwed(), "ussi: reserved != fulfilled unclaimed");
        vm.assertGe(usdc.balanceOf(address(ussi)), ussi.reservedAssets(), "ussi: USDC below reserved");
    }

    /// @notice FIFO: requests before the head are fulfilled (shares burnt, price set), none after it.
    function invariant_fifo() public view {
        (uint256 next, uint256 count) = ussi.queue();
        vm.assertLe(next, count, "ussi: head past the queue");
        uint256 escrowed;
        for (uint256 id = next; id < count; ++id) {
            IUssiVault.RedeemRequest memory r = ussi.redeemRequest(id);
            vm.assertEq(r.assets, 0, "ussi: unfulfilled request priced");
            escrowed += r.shares;
        }
        vm.assertGe(ussi.balanceOf(address(ussi)), escrowed, "ussi: escrowed shares missing");
    }

    /// @notice Share supply moves only by minting and by redemption (instant or at fulfilment).
    function invariant_supplyOnlyThroughSettlement() public view {
        vm.assertEq(
            ussi.totalSupply(), handler.ghostSharesMinted() - handler.ghostSharesBurned(), "ussi: supply != minted - burned"
        );
    }

    function invariant_handlerChecks() public view {
        vm.assertEq(handler.violation(), "", "ussi handler check failed");
    }
}

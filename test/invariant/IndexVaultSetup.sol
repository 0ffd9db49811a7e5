// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IndexVault} from "../../contracts/IndexVault.sol";
import {IRebalancer} from "../../contracts/interfaces/IRebalancer.sol";
import {IWeightOracle} from "../../contracts/interfaces/IWeightOracle.sol";
import {Rebalancer} from "../../contracts/rebalance/Rebalancer.sol";
import {WeightOracle} from "../../contracts/oracles/WeightOracle.sol";
import {PriceRegistry} from "../../contracts/oracles/PriceRegistry.sol";
import {HostileToken} from "./mocks/HostileToken.sol";
import {OracleAdapter} from "./mocks/OracleAdapter.sol";
import {Env} from "./handlers/Env.sol";
import {InvariantBase} from "./utils/Vm.sol";

/// @notice The deployment the IndexVault suite and its regression tests share: four constituents with 6,
/// 8, 18 and 24 decimals (the 6-decimal one can turn hostile), Chainlink mock feeds in a real
/// PriceRegistry, the real WeightOracle (2 of 3 test signers), IndexVault, Rebalancer with an oracle-price
/// mock venue, four actors with test keys, and a first report and mint so the vault is live.
/// Every admin is one OpenZeppelin TimelockController with a 1-day minimum delay (the constructors refuse
/// anything else). It is the only admin, so handlers act as it (`vm.prank(admin)`); the timelock's own
/// schedule/delay/execute path is exercised once in setUp (`_viaTimelock`) and by the Hardhat tests.
abstract contract IndexVaultSetup is InvariantBase {
    Env internal env;
    IndexVault internal vault;
    Rebalancer internal rebalancer;
    WeightOracle internal oracle;
    PriceRegistry internal registry;
    OracleAdapter internal adapter;
    HostileToken[] internal tokens;
    TimelockController internal timelock;
    address internal admin; // == address(timelock)
    address internal guardian = address(0x6A);
    address internal keeper = address(0x6E);
    address internal feeRecipient = address(0xFEE);

    uint256 internal constant NAV0 = 100e18; // {1e18 USD} per 1e18 shares

    function _deploy() internal {
        vm.warp(1_750_000_000 - 1 days);
        address[] memory proposers = new address[](1);
        proposers[0] = address(this);
        timelock = new TimelockController(1 days, proposers, proposers, address(0));
        admin = address(timelock);
        // The timelock's own path once (schedule, wait the delay, execute), before anything else exists
        // (the warp would age the feeds and fee clock): it re-sets its own delay to 1 day.
        _viaTimelock(admin, abi.encodeCall(TimelockController.updateDelay, (1 days)));
        vm.assertEq(block.timestamp, 1_750_000_000, "setup: timelock delay warped");
        registry = new PriceRegistry(admin);
        uint8[4] memory decimals = [uint8(6), 8, 18, 24];
        int256[4] memory prices = [int256(1e8), 60_000e8, 3_000e8, 1e3]; // $1, $60k, $3k, $0.00001
        MockV3Aggregator[] memory feeds = new MockV3Aggregator[](4);
        for (uint256 i = 0; i < 4; ++i) {
            tokens.push(new HostileToken(string.concat("T", vm.toString(decimals[i])), decimals[i]));
            feeds[i] = new MockV3Aggregator(8, prices[i]);
            vm.prank(admin);
            registry.setFeed(address(tokens[i]), address(feeds[i]), 1 days);
        }

        vault = new IndexVault(
            IndexVault.Config({
                name: "Invariant Index",
                symbol: "INV",
                admin: admin,
                priceRegistry: address(registry),
                initialNavPerShare: NAV0,
                maxFeeRate: 0.5e18,
                feeRate: 0.02e18,
                feeRecipient: feeRecipient
            })
        );

        uint256[] memory signerKeys = new uint256[](3);
        address[] memory signers = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            signerKeys[i] = 0x5100 + i;
        }
        _sortByAddress(signerKeys);
        for (uint256 i = 0; i < 3; ++i) {
            signers[i] = vm.addr(signerKeys[i]);
        }
        oracle = new WeightOracle(admin, address(registry), signers, 2);

        rebalancer = new Rebalancer(
            address(vault),
            admin,
            IRebalancer.Limits({
                maxSlippageBps: 0, // ignored: DEFAULT_MAX_SLIPPAGE_BPS (1%)
                toleranceBps: 500,
                cooldown: 60,
                maxWindow: 1 days,
                feeAccrualInterval: 7 days,
                maxTradeUsd: type(uint96).max
            })
        );
        adapter = new OracleAdapter(registry);
        _assertEip170(address(vault), "IndexVault");
        _assertEip170(address(rebalancer), "Rebalancer");
        _assertEip170(address(oracle), "WeightOracle");
        _assertEip170(address(registry), "PriceRegistry");

        vm.startPrank(admin);
        vault.grantRole(vault.ORACLE_ROLE(), address(oracle));
        vault.grantRole(vault.GUARDIAN_ROLE(), guardian);
        vault.grantRole(vault.REBALANCER_ROLE(), address(rebalancer));
        rebalancer.grantRole(rebalancer.KEEPER_ROLE(), keeper);
        rebalancer.setAdapter(address(adapter), true);
        vm.stopPrank();

        uint256[] memory actorKeys = new uint256[](4);
        for (uint256 i = 0; i < 4; ++i) {
            actorKeys[i] = 0xA11CE + i;
        }
        env = new Env();
        env.init(
            vault, rebalancer, oracle, registry, adapter, tokens, feeds, actorKeys, signerKeys,
            [admin, guardian, keeper, feeRecipient]
        );

        // Round 1: equal weights, signed by the quorum; then a first holder.
        address[] memory c = new address[](4);
        uint256[] memory w = new uint256[](4);
        for (uint256 i = 0; i < 4; ++i) {
            c[i] = address(tokens[i]);
            w[i] = 0.25e18;
        }
        _submitReport(1, c, w);
        _mintAs(env.actors(0), 1_000e18);
    }

    /// @dev Schedules `data` on `target` through the timelock, warps past its minimum delay, executes.
    function _viaTimelock(address target, bytes memory data) internal {
        uint256 delay = timelock.getMinDelay();
        timelock.schedule(target, 0, data, bytes32(0), bytes32(0), delay);
        vm.warp(block.timestamp + delay);
        timelock.execute(target, 0, data, bytes32(0), bytes32(0));
    }

    function _submitReport(uint64 round, address[] memory c, uint256[] memory w) internal {
        IWeightOracle.WeightReport memory r = IWeightOracle.WeightReport({
            index: address(vault),
            round: round,
            validAfter: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 1 hours),
            constituents: c,
            weights: w
        });
        bytes32 digest = oracle.reportDigest(r);
        bytes[] memory sigs = new bytes[](2);
        for (uint256 i = 0; i < 2; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(env.signerKeys(i), digest);
            sigs[i] = abi.encodePacked(rr, s, v);
        }
        oracle.submit(r, sigs);
    }

    /// @dev Funds `actor` with what `previewMint` asks and mints `shares` to it (records the ghost).
    function _mintAs(address actor, uint256 shares) internal {
        (address[] memory t, uint256[] memory a) = vault.previewMint(shares);
        for (uint256 i = 0; i < t.length; ++i) {
            HostileToken(t[i]).mint(actor, a[i]);
            vm.prank(actor);
            HostileToken(t[i]).approve(address(vault), a[i]);
        }
        vm.prank(actor);
        vault.mint(shares, actor, a);
        env.addMinted(shares);
    }

    function _sortByAddress(uint256[] memory keys) private pure {
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }
}

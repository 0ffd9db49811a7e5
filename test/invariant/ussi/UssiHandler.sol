// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IUssiVault} from "../../../contracts/interfaces/IUssiVault.sol";
import {UssiVault} from "../../../contracts/ussi/UssiVault.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {CheatBase} from "../utils/Vm.sol";

/// @notice USSI accounting handler (issue 9), SKELETON on today's UssiVault (instant USDC mint and
/// redeem at the last NAV, FIFO redeem queue fulfilled by the strategy, claims). The `ussi` branch
/// replaces this flow by settlement at the next NAV: adapt the thin wrappers (`_mint`, `_request`,
/// `_report`, `_fulfil`, `_claim`) to its request/settle/claim calls; the ghosts and invariants stay.
contract UssiHandler is CheatBase {
    UssiVault internal immutable ussi;
    HostileToken internal immutable usdc;
    address internal immutable strategy;
    address internal immutable pauser; // admin (a timelock): pause and unpause through it directly
    address[] internal actors;
    uint256[] internal signerKeys; // ascending by address

    // == Ghosts ==
    uint256 public ghostSharesMinted;
    uint256 public ghostSharesBurned;
    uint256 public ghostOwed; // {USDC} fulfilled, not yet claimed
    mapping(uint256 id => bool) public ghostClaimed;
    string public violation;

    constructor(UssiVault ussi_, HostileToken usdc_, address strategy_, address pauser_, address[] memory actors_, uint256[] memory signerKeys_) {
        ussi = ussi_;
        usdc = usdc_;
        strategy = strategy_;
        pauser = pauser_;
        actors = actors_;
        signerKeys = signerKeys_;
    }

    function _fail(string memory what) internal {
        if (bytes(violation).length == 0) violation = what;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    // == Wrappers around each vault call ==
    function _mint(address actor, uint256 usdcIn) internal {
        usdc.mint(actor, usdcIn);
        vm.prank(actor);
        usdc.approve(address(ussi), usdcIn);
        vm.prank(actor);
        ghostSharesMinted += ussi.mint(usdcIn, 0);
    }

    function _request(address actor, uint256 shares) internal {
        vm.prank(actor);
        ussi.requestRedeem(shares); // escrowed, burnt at fulfilment
    }

    function _report(int256 changeBps) internal {
        IUssiVault.NavReport memory last = ussi.lastAcceptedReport();
        (uint64 round, uint64 ts) = ussi.lastVerified();
        IUssiVault.NavReport memory r;
        r.round = round + 1;
        r.timestamp = uint64(block.timestamp > ts ? block.timestamp : ts + 1);
        r.navPerToken = uint256(int256(last.navPerToken) * (10_000 + changeBps) / 10_000);
        r.nav = r.navPerToken * ussi.totalSupply() / 1e18;
        bytes32 digest = keccak256(
            abi.encodePacked("\x19\x01", ussi.domainSeparator(), keccak256(abi.encode(ussi.NAV_REPORT_TYPEHASH(), r)))
        );
        bytes[] memory sigs = new bytes[](ussi.quorum());
        for (uint256 i = 0; i < sigs.length; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(signerKeys[i], digest);
            sigs[i] = abi.encodePacked(rr, s, v);
        }
        ussi.submitNavReport(r, sigs);
    }

    function _fulfil(uint256 count) internal {
        (uint256 next,) = ussi.queue();
        uint256 needed;
        for (uint256 id = next; id < next + count; ++id) {
            needed += ussi.previewRedeem(ussi.redeemRequest(id).shares) + 1;
        }
        usdc.mint(strategy, needed);
        vm.prank(strategy);
        usdc.approve(address(ussi), needed);
        uint256 supplyBefore = ussi.totalSupply();
        vm.prank(strategy);
        ghostOwed += ussi.fulfil(count, needed);
        ghostSharesBurned += supplyBefore - ussi.totalSupply();
    }

    function _claim(address owner, uint256 id) internal {
        vm.prank(owner);
        uint256 assets = ussi.claim(id);
        if (ghostClaimed[id]) _fail("ussi: a request was claimed twice");
        ghostClaimed[id] = true;
        ghostOwed -= assets;
    }

    // == Fuzzed entry points ==
    function mint(uint256 actorSeed, uint256 usdcSeed) external {
        _mint(_actor(actorSeed), _bound(usdcSeed, 1, 1e12)); // up to $1M
    }

    function redeemInstant(uint256 actorSeed, uint256 fractionBps) external {
        address actor = _actor(actorSeed);
        uint256 shares = ussi.balanceOf(actor) * _bound(fractionBps, 1, 10_000) / 10_000;
        vm.prank(actor);
        ussi.redeem(shares, 0);
        ghostSharesBurned += shares;
    }

    function requestRedeem(uint256 actorSeed, uint256 fractionBps) external {
        address actor = _actor(actorSeed);
        _request(actor, ussi.balanceOf(actor) * _bound(fractionBps, 1, 10_000) / 10_000);
    }

    function report(uint256 changeSeed) external {
        _report(int256(_bound(changeSeed, 0, 200)) - 100); // -1% .. +1%
    }

    function fulfil(uint256 countSeed) external {
        (uint256 next, uint256 count) = ussi.queue();
        if (count <= next) return;
        _fulfil(_bound(countSeed, 1, count - next));
    }

    function claim(uint256 idSeed) external {
        (uint256 next,) = ussi.queue();
        if (next == 0) return;
        uint256 id = idSeed % next;
        _claim(ussi.redeemRequest(id).owner, id);
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 2 days));
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](7);
        s[0] = this.mint.selector;
        s[1] = this.redeemInstant.selector;
        s[2] = this.requestRedeem.selector;
        s[3] = this.report.selector;
        s[4] = this.fulfil.selector;
        s[5] = this.claim.selector;
        s[6] = this.warp.selector;
    }
}

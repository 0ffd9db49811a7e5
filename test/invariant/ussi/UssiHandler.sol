// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IUssiVault} from "../../../contracts/interfaces/IUssiVault.sol";
import {UssiVault} from "../../../contracts/ussi/UssiVault.sol";
import {HostileToken} from "../mocks/HostileToken.sol";
import {CheatBase} from "../utils/Vm.sol";

/// @notice USSI v2 handler (issue 9): requests settle at the next NAV per epoch. Users request deposits
/// (USDC or MAG7.ssi) and redemptions, redeem instantly from the capped buffer and claim; anyone relays
/// quorum-signed NAV reports (round = last + 1, valuation time now, navPerToken within maxNavChangeBps)
/// and funds settled redemptions; the strategy sends USDC to a venue; RISK pauses and unpauses; time
/// passes (the NAV goes stale after a day). Every call checks that the share supply moved only as its
/// kind allows (settlement: + minted for the epoch's deposits - the epoch's escrowed shares; instant
/// redemption: - shares; anything else: 0), and that claims and fulfilment work without a fresh NAV.
contract UssiHandler is CheatBase {
    uint256 private constant WAD = 1e18;
    uint256 private constant USDC_SCALE = 1e12; // {1e18 USD / USDC}: USDC has 6 decimals
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    UssiVault internal immutable ussi;
    HostileToken internal immutable usdc;
    HostileToken internal immutable index;
    address internal immutable strategy;
    address internal immutable risk;
    address internal immutable venue;
    address[] internal actors;
    uint256[] internal signerKeys; // ascending by address

    // == Ghosts ==
    uint256 public ghostSettledMinted; // {1e18 USSI} minted by settlements
    uint256 public ghostSettledBurned; // {1e18 USSI} burned by settlements (escrowed redemptions)
    uint256 public ghostInstantBurned; // {1e18 USSI} burned by instant redemptions
    mapping(uint256 id => bool) public ghostClaimed;
    uint256 public claims;
    uint256 public staleClaims; // claims or fulfilments that succeeded with a stale NAV
    uint256 public settlements;
    string public violation;

    constructor(
        UssiVault ussi_,
        HostileToken usdc_,
        HostileToken index_,
        address[3] memory roles, // strategy, risk, venue
        address[] memory actors_,
        uint256[] memory signerKeys_
    ) {
        ussi = ussi_;
        usdc = usdc_;
        index = index_;
        (strategy, risk, venue) = (roles[0], roles[1], roles[2]);
        actors = actors_;
        signerKeys = signerKeys_;
    }

    function _fail(string memory what) internal {
        if (bytes(violation).length == 0) violation = what;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    modifier supplyUnchanged(string memory op) {
        uint256 before = ussi.totalSupply();
        _;
        if (ussi.totalSupply() != before) _fail(string.concat(op, ": share supply changed outside settlement"));
    }

    // == Fuzzed entry points ==

    /// @notice $10 .. $1M of USDC requested for deposit (pulled now, shares at the next report).
    function requestDeposit(uint256 actorSeed, uint256 usdcSeed) external supplyUnchanged("requestDeposit") {
        address actor = _actor(actorSeed);
        uint256 usdcIn = _bound(usdcSeed, 10e6, 1e12);
        usdc.mint(actor, usdcIn);
        vm.prank(actor);
        usdc.approve(address(ussi), usdcIn);
        vm.prank(actor);
        ussi.requestDeposit(usdcIn);
    }

    /// @notice 0.1 .. 10,000 MAG7.ssi requested for deposit (valued at settlement, less the haircut).
    function requestDepositIndex(uint256 actorSeed, uint256 amountSeed) external supplyUnchanged("requestDepositIndex") {
        address actor = _actor(actorSeed);
        uint256 indexIn = _bound(amountSeed, 0.1e18, 10_000e18);
        index.mint(actor, indexIn);
        vm.prank(actor);
        index.approve(address(ussi), indexIn);
        vm.prank(actor);
        ussi.requestDepositIndex(indexIn);
    }

    /// @notice Escrows a fraction of the actor's USSI (the whole balance one time in four) for the next report.
    function requestRedeem(uint256 actorSeed, uint256 fractionBps) external supplyUnchanged("requestRedeem") {
        address actor = _actor(actorSeed);
        uint256 bal = ussi.balanceOf(actor);
        uint256 shares = fractionBps % 4 == 0 ? bal : bal * _bound(fractionBps, 1, 10_000) / 10_000;
        vm.prank(actor);
        ussi.requestRedeem(shares);
    }

    /// @notice Instant redemption from the buffer: burns exactly `shares`, pays at most the last NAV
    /// less maxNavChangeBps, and never more than the per-epoch cap allows.
    function redeemInstant(uint256 actorSeed, uint256 fractionBps) external {
        address actor = _actor(actorSeed);
        uint256 shares = ussi.balanceOf(actor) * _bound(fractionBps, 1, 10_000) / 10_000;
        uint256 supply = ussi.totalSupply();
        uint256 capacity = ussi.instantCapacity();
        uint256 cash = usdc.balanceOf(actor);
        uint256 nav = ussi.lastAcceptedReport().navPerToken;
        uint256 cut = ussi.limits().maxNavChangeBps;
        vm.prank(actor);
        uint256 assets = ussi.redeem(shares, 0);
        ghostInstantBurned += shares;
        if (supply - ussi.totalSupply() != shares) _fail("redeem: supply fell other than by the shares");
        if (usdc.balanceOf(actor) - cash != assets) _fail("redeem: paid other than reported");
        if (assets > capacity) _fail("redeem: paid above instant capacity");
        // {USDC} floor(shares * nav * (1e4 - cut) / (1e18 * 1e12 * 1e4))
        if (assets > Math.mulDiv(shares, nav * (10_000 - cut), WAD * USDC_SCALE * 10_000)) {
            _fail("redeem: paid above the discounted last NAV");
        }
    }

    /// @notice A quorum-signed report (round = last + 1, valuation time now) moving navPerToken by up
    /// to +-maxNavChangeBps; one in eight tries just beyond the bound (must be refused). Settles the
    /// open epoch: supply moves by exactly the epoch's deposits' shares minus its escrowed shares.
    function submitNavReport(uint256 changeSeed) external {
        IUssiVault.NavReport memory last = ussi.lastAcceptedReport();
        int256 maxBps = int256(uint256(ussi.limits().maxNavChangeBps));
        bool beyond = changeSeed % 8 == 0;
        int256 bps = beyond ? maxBps + 1 : int256(_bound(changeSeed >> 3, 0, uint256(2 * maxBps))) - maxBps;
        if (beyond && (changeSeed >> 3) % 2 == 0) bps = -bps;
        IUssiVault.NavReport memory r = _report(last, bps);
        uint64 epoch = ussi.currentEpoch();
        IUssiVault.Epoch memory ep = ussi.epochInfo(epoch);
        uint256 supply = ussi.totalSupply();
        bytes[] memory sigs = _sign(r, ussi.quorum());
        if (beyond) {
            try ussi.submitNavReport(r, sigs) {
                _fail("report: a move beyond maxNavChangeBps was accepted");
            } catch {}
            return;
        }
        uint64 settled = ussi.submitNavReport(r, sigs);
        ++settlements;
        if (settled != epoch || ussi.currentEpoch() != epoch + 1) _fail("report: did not settle the open epoch");
        // {1e18 USSI} floor(usdc * 1e12 * 1e18 / nav) + floor(idx * indexNet / (nav * 1e4)), as specified
        uint256 indexNet = ussi.epochInfo(epoch).indexNetPerShare;
        uint256 minted = Math.mulDiv(uint256(ep.depositUsdc) * USDC_SCALE, WAD, r.navPerToken)
            + Math.mulDiv(ep.depositIndex, indexNet, r.navPerToken * 10_000);
        ghostSettledMinted += minted;
        ghostSettledBurned += ep.redeemShares;
        if (ussi.totalSupply() + ep.redeemShares != supply + minted) {
            _fail("report: supply moved other than epoch deposits' shares - escrowed shares");
        }
    }

    /// @notice A report signed by fewer than the quorum: refused.
    function submitUnderQuorum(uint256 changeSeed) external supplyUnchanged("submitUnderQuorum") {
        IUssiVault.NavReport memory r = _report(ussi.lastAcceptedReport(), int256(changeSeed % 50));
        bytes[] memory sigs = _sign(r, ussi.quorum() - 1);
        try ussi.submitNavReport(r, sigs) {
            _fail("report: accepted under quorum");
        } catch {}
    }

    /// @notice Anyone funds settled redemptions: with USDC outstanding and enough offered it must
    /// succeed, paused or not, NAV fresh or stale; it funds in order up to what is owed.
    function fulfil(uint256 callerSeed, uint256 offerSeed) external supplyUnchanged("fulfil") {
        (uint256 owed, uint256 funded) = ussi.redemptionFunding();
        if (owed == funded) {
            try ussi.fulfil(0) {
                _fail("fulfil: succeeded with nothing owed");
            } catch {}
            return;
        }
        address caller = _actor(callerSeed);
        uint256 offer = offerSeed % 3 == 0 ? owed - funded : _bound(offerSeed, 0, owed - funded);
        usdc.mint(caller, offer);
        vm.prank(caller);
        usdc.approve(address(ussi), offer);
        vm.prank(caller);
        try ussi.fulfil(offer) returns (uint256 assetsIn) {
            (uint256 owed2, uint256 funded2) = ussi.redemptionFunding();
            if (owed2 != owed || funded2 > owed2 || funded2 < funded + assetsIn || assetsIn > offer) {
                _fail("fulfil: funding accounting");
            }
            if (offer == owed - funded && funded2 != owed2) _fail("fulfil: full offer left redemptions unfunded");
            if (!ussi.isNavFresh() || ussi.paused()) ++staleClaims;
        } catch (bytes memory err) {
            _fail(string.concat("fulfil reverted with USDC owed and offered: ", vm.toString(err)));
        }
    }

    /// @notice The owner claims a request: a settled (and, for a redemption, funded) unclaimed request
    /// must pay, paused or not, NAV fresh or stale; a claimed one must never pay again.
    function claim(uint256 idSeed) external supplyUnchanged("claim") {
        uint256 count = ussi.requestCount();
        if (count == 0) return;
        uint256 id = idSeed % count;
        IUssiVault.Request memory r = ussi.request(id);
        IUssiVault.Epoch memory ep = ussi.epochInfo(r.epoch);
        (, uint256 funded) = ussi.redemptionFunding();
        bool due = ep.navPerToken != 0 && (r.kind != IUssiVault.RequestKind.Redeem || funded >= ep.owedEnd);
        vm.prank(r.owner);
        try ussi.claim(id) {
            if (ghostClaimed[id]) _fail("claim: a request was claimed twice");
            if (!due) _fail("claim: an unsettled or unfunded request paid");
            ghostClaimed[id] = true;
            ++claims;
            if (!ussi.isNavFresh() || ussi.paused()) ++staleClaims;
        } catch (bytes memory err) {
            if (due && !ghostClaimed[id]) _fail(string.concat("claim of a due request reverted: ", vm.toString(err)));
        }
    }

    /// @notice The strategy sends part of the USDC above the buffer target to the venue (needs a fresh
    /// NAV and no pause; reverts otherwise are counted).
    function withdrawToVenue(uint256 fractionBps) external supplyUnchanged("withdrawToVenue") {
        uint256 liquid = ussi.liquidAssets();
        uint256 target = ussi.bufferTarget();
        if (liquid <= target) return;
        uint256 amount = (liquid - target) * _bound(fractionBps, 1, 10_000) / 10_000;
        vm.prank(strategy);
        ussi.withdrawToVenue(venue, amount);
    }

    function pause() external supplyUnchanged("pause") {
        vm.prank(risk);
        ussi.pause();
    }

    function unpause() external supplyUnchanged("unpause") {
        vm.prank(risk);
        ussi.unpause();
    }

    /// @notice 1 s .. 3 days: half the hops within an hour; a day makes the NAV stale.
    function warp(uint256 secondsSeed) external supplyUnchanged("warp") {
        uint256 dt = _bound(secondsSeed >> 1, 1, secondsSeed % 2 == 0 ? 1 hours : 3 days);
        vm.warp(block.timestamp + dt);
    }

    // == Reports ==
    function _report(IUssiVault.NavReport memory last, int256 bps) internal view returns (IUssiVault.NavReport memory r) {
        r.round = last.round + 1;
        r.timestamp = uint64(block.timestamp > last.timestamp ? block.timestamp : last.timestamp + 1);
        // {1e18 USD per 1e18 USSI}, down: within the bound either way
        r.navPerToken = uint256(int256(last.navPerToken) * (10_000 + bps) / 10_000);
        r.nav = Math.mulDiv(r.navPerToken, ussi.totalSupply(), WAD); // all cash: spot, PnL, funding 0
    }

    function _sign(IUssiVault.NavReport memory r, uint256 count) internal view returns (bytes[] memory sigs) {
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = ussi.navReportDomain();
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, verifying)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domain, keccak256(abi.encode(ussi.NAV_REPORT_TYPEHASH(), r))));
        sigs = new bytes[](count);
        for (uint256 i = 0; i < count; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(signerKeys[i], digest);
            sigs[i] = abi.encodePacked(rr, s, v);
        }
    }

    /// @notice Setup's first report (unchanged NAV).
    function report(int256 bps) external {
        ussi.submitNavReport(_report(ussi.lastAcceptedReport(), bps), _sign(_report(ussi.lastAcceptedReport(), bps), ussi.quorum()));
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](12);
        s[0] = this.requestDeposit.selector;
        s[1] = this.requestDepositIndex.selector;
        s[2] = this.requestRedeem.selector;
        s[3] = this.redeemInstant.selector;
        s[4] = this.submitNavReport.selector;
        s[5] = this.submitUnderQuorum.selector;
        s[6] = this.fulfil.selector;
        s[7] = this.claim.selector;
        s[8] = this.withdrawToVenue.selector;
        s[9] = this.pause.selector;
        s[10] = this.unpause.selector;
        s[11] = this.warp.selector;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IQuorumVerifier} from "../interfaces/IQuorumVerifier.sol";
import {IUssiVault} from "../interfaces/IUssiVault.sol";
import {IIndexValuation} from "../interfaces/IIndexValuation.sol";

/// @title UssiNavLib
/// @notice The checks of a USSI NAV report and of the risk limits, as an external library linked
/// into `UssiVault` (keeps the vault under EIP-170 with room to spare). Reverts with the errors of
/// `IUssiVault` and `IQuorumVerifier`; it holds no state and is called only by delegatecall.
library UssiNavLib {
    using Math for uint256;

    /// @notice The EIP-712 type NAV reports are signed as (mirrors `IUssiVault.NavReport`).
    bytes32 internal constant NAV_REPORT_TYPEHASH = keccak256(
        "NavReport(uint64 round,uint256 nav,uint256 navPerToken,uint256 spotValue,int256 perpPnl,int256 fundingAccrued,uint256 netDeltaBps,uint64 timestamp)"
    );
    /// @notice The EIP-712 type an intermediate step of a large NAV move is signed as: the same
    /// fields under another name, so a step's signatures never verify as a settling report.
    bytes32 internal constant NAV_STEP_TYPEHASH = keccak256(
        "NavStep(uint64 round,uint256 nav,uint256 navPerToken,uint256 spotValue,int256 perpPnl,int256 fundingAccrued,uint256 netDeltaBps,uint64 timestamp)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAV_NAME_HASH = keccak256("USSI Vault");
    bytes32 private constant NAV_VERSION_HASH = keccak256("1");
    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    /// @dev {s} how far in the future a report's timestamp may be (signer clock skew).
    uint256 internal constant MAX_FUTURE_SKEW = 5 minutes;
    /// @dev {s} bounds of maxNavAge: below the floor reports could not be relayed in time and
    /// settlement (hence every queued exit) would stop.
    uint256 internal constant MIN_NAV_AGE = 1 hours;
    uint256 internal constant MAX_NAV_AGE_LIMIT = 30 days;
    /// @dev {bps} bounds of maxNavChangeBps: above the floor so honest reports of a delta-neutral
    /// book land; at most 5% so the instant-redemption discount stays a discount, not a confiscation.
    uint256 internal constant MIN_NAV_CHANGE_BPS = 10;
    uint256 internal constant MAX_NAV_CHANGE_BPS = 500;
    /// @dev {bps} the largest haircut: a price concession the depositor accepts, not a confiscation.
    uint256 internal constant MAX_INDEX_HAIRCUT_BPS = 1_000;
    /// @dev {1e18 USD} the largest minimum request size.
    uint256 internal constant MAX_MIN_REQUEST_USD = 1_000e18;

    /// @notice Reverts unless `report` carries at least `quorum` signatures of its EIP-712 type
    /// (`NavStep` when `step`, else `NavReport`), under the NAV-report domain of the calling vault, from distinct members of `isSigner` in strictly ascending
    /// order, and is acceptable after `last` under `limits`: not future-dated, not older than
    /// `maxNavAge`, round exactly `last.round + 1`, timestamp increasing, navPerToken non-zero and within
    /// `maxNavChangeBps` of the last one, nav >= spotValue + perpPnl + fundingAccrued. Then stores
    /// it as `last` and emits `NavStepReported` (a step) or `NavReported`.
    function accept(
        IUssiVault.NavReport calldata report,
        bytes[] calldata signatures,
        mapping(address => bool) storage isSigner,
        uint256 quorum,
        IUssiVault.NavReport storage last,
        uint256 maxNavAge,
        uint256 maxNavChangeBps,
        bool step
    ) external {
        _verifySignatures(report, signatures, isSigner, quorum, step ? NAV_STEP_TYPEHASH : NAV_REPORT_TYPEHASH);
        uint256 timestamp = report.timestamp;
        if (timestamp > block.timestamp + MAX_FUTURE_SKEW) revert IUssiVault.FutureReport(report.timestamp, block.timestamp);
        if (timestamp + maxNavAge < block.timestamp) revert IUssiVault.StaleReport(report.timestamp, block.timestamp, maxNavAge);
        // Exactly the next round: no report can skip ahead and exhaust the uint64 round space (a
        // round of 2^64 - 1 would leave no acceptable successor). uint256: cannot overflow.
        uint256 expected = uint256(last.round) + 1;
        if (report.round != expected) revert IUssiVault.RoundNotNext(report.round, expected);
        if (report.timestamp <= last.timestamp) revert IUssiVault.TimestampNotIncreasing(report.timestamp, last.timestamp);

        _checkValues(report, last.navPerToken, maxNavChangeBps);
        // Accepted: it becomes the last report.
        last.round = report.round;
        last.nav = report.nav;
        last.navPerToken = report.navPerToken;
        last.spotValue = report.spotValue;
        last.perpPnl = report.perpPnl;
        last.fundingAccrued = report.fundingAccrued;
        last.netDeltaBps = report.netDeltaBps;
        last.timestamp = report.timestamp;
        if (step) emit IUssiVault.NavStepReported(report.round, report);
        else emit IUssiVault.NavReported(report.round, report);
    }

    /// @notice Stores `limits` in `target` and emits `LimitsUpdated`; reverts `InvalidLimit` unless
    /// every limit is within its floor and ceiling (see `IUssiVault.Limits`): the bounds that keep
    /// settlement, and so every queued exit, possible.
    function setLimits(IUssiVault.Limits storage target, IUssiVault.Limits memory limits) external {
        if (limits.maxNavAge < MIN_NAV_AGE || limits.maxNavAge > MAX_NAV_AGE_LIMIT) revert IUssiVault.InvalidLimit("maxNavAge", limits.maxNavAge);
        if (limits.maxNavChangeBps < MIN_NAV_CHANGE_BPS || limits.maxNavChangeBps > MAX_NAV_CHANGE_BPS) {
            revert IUssiVault.InvalidLimit("maxNavChangeBps", limits.maxNavChangeBps);
        }
        if (limits.maxNetDeltaBps > BPS) revert IUssiVault.InvalidLimit("maxNetDeltaBps", limits.maxNetDeltaBps);
        if (limits.bufferTargetBps > BPS) revert IUssiVault.InvalidLimit("bufferTargetBps", limits.bufferTargetBps);
        if (limits.indexHaircutBps > MAX_INDEX_HAIRCUT_BPS) revert IUssiVault.InvalidLimit("indexHaircutBps", limits.indexHaircutBps);
        if (limits.instantCapBps > BPS) revert IUssiVault.InvalidLimit("instantCapBps", limits.instantCapBps);
        if (limits.minRequestUsd > MAX_MIN_REQUEST_USD) revert IUssiVault.InvalidLimit("minRequestUsd", limits.minRequestUsd);
        target.maxNavAge = limits.maxNavAge;
        target.maxNavChangeBps = limits.maxNavChangeBps;
        target.maxNetDeltaBps = limits.maxNetDeltaBps;
        target.bufferTargetBps = limits.bufferTargetBps;
        target.indexHaircutBps = limits.indexHaircutBps;
        target.instantCapBps = limits.instantCapBps;
        target.minRequestUsd = limits.minRequestUsd;
        emit IUssiVault.LimitsUpdated(limits);
    }
    /// @notice Sends `amount` of `token` (USDC, or MAG7.ssi when `isIndex`) to `venue` from the
    /// calling vault, which holds `held` of it and must keep `keep`; emits the withdrawal event.
    function sendToVenue(IERC20 token, address venue, uint256 amount, uint256 held, uint256 keep, bool isIndex) external {
        // == Checks ==
        uint256 available = held > keep ? held - keep : 0;
        if (amount > available) {
            if (isIndex) revert IUssiVault.IndexWithdrawalAboveHeld(amount, available);
            revert IUssiVault.WithdrawalAboveBuffer(amount, available);
        }
        // == Effects == (events only)
        if (isIndex) emit IUssiVault.IndexWithdrawnToVenue(venue, amount, held - amount);
        else emit IUssiVault.WithdrawnToVenue(venue, amount, held - amount);
        // == Interactions ==
        SafeERC20.safeTransfer(token, venue, amount);
    }

    /// @notice The NAV-report EIP-712 domain of the calling vault, in the EIP-5267 layout.
    function navReportDomain()
        external
        view
        returns (bytes1, string memory, string memory, uint256, address, bytes32, uint256[] memory)
    {
        return (hex"0f", "USSI Vault", "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /// @notice Reverts unless `account` is a contract answering `getMinDelay()` (a
    /// TimelockController) with at least `minDelay` {s}.
    function requireTimelock(address account, uint256 minDelay) external view {
        if (account.code.length == 0) revert IUssiVault.AdminNotTimelock(account);
        try TimelockController(payable(account)).getMinDelay() returns (uint256 delay) {
            if (delay < minDelay) revert IUssiVault.AdminDelayTooShort(account, delay, minDelay);
        } catch {
            revert IUssiVault.AdminNotTimelock(account);
        }
    }

    /// @notice Writes `assets` as the declared `book` after checking each is allowed and appears
    /// once, and at most `maxAssets` of them.
    function declareBook(
        address[] storage book,
        address[] calldata assets,
        mapping(address => bool) storage allowed,
        uint256 maxAssets
    ) external {
        uint256 n = assets.length;
        if (n > maxAssets) revert IUssiVault.BookTooLarge(n, maxAssets);
        for (uint256 i = 0; i < n; ++i) {
            address asset = assets[i];
            if (!allowed[asset]) revert IUssiVault.AssetNotAllowed(asset);
            for (uint256 j = 0; j < i; ++j) {
                if (assets[j] == asset) revert IUssiVault.DuplicateBookAsset(asset);
            }
        }
        // Replace the array element by element (a library cannot assign a calldata array to storage).
        uint256 old = book.length;
        for (uint256 i = 0; i < n; ++i) {
            if (i < old) book[i] = assets[i];
            else book.push(assets[i]);
        }
        for (uint256 i = n; i < old; ++i) book.pop();
    }

    /// @notice Reverts `AssetNotAllowed` for the first asset of `book` that is not `allowed`.
    function requireBookAllowed(address[] storage book, mapping(address => bool) storage allowed) external view {
        uint256 n = book.length;
        for (uint256 i = 0; i < n; ++i) {
            address asset = book[i];
            if (!allowed[asset]) revert IUssiVault.AssetNotAllowed(asset);
        }
    }

    /// @notice Prices epoch `ep` at `navPerToken`, O(1): records the price and, when it has MAG7.ssi
    /// deposits, their value from `valuation` less the epoch's own haircut `ep.indexHaircutBps`
    /// (fixed by its first MAG7.ssi deposit request) (0 when the valuation reverts or
    /// returns 0: those deposits are then returned in kind at claim, and settlement goes on).
    /// @return minted {1e18 USSI} for the epoch's deposits, down.
    /// @return burned {1e18 USSI} escrowed by its redemptions.
    /// @return owed {USDC} those are owed, down.
    /// @return indexNet {1e18 USD * bps} per 1e18 MAG7.ssi.
    function settleEpoch(
        IUssiVault.Epoch storage ep,
        uint256 navPerToken,
        IIndexValuation valuation,
        uint256 usdcScale
    ) external returns (uint256 minted, uint256 burned, uint256 owed, uint256 indexNet) {
        ep.navPerToken = navPerToken;
        // {1e18 USSI} = {USDC} * {1e18 USD / USDC} * 1e18 / {1e18 USD / 1e18 USSI}; down, against the depositors
        minted = (uint256(ep.depositUsdc) * usdcScale).mulDiv(WAD, navPerToken);
        uint256 indexIn = ep.depositIndex;
        if (indexIn != 0) {
            // A valuation that reverts or returns 0 must not stop settlement (exits settle here too).
            try valuation.navPerShare() returns (uint256 navPerShare) {
                // {1e18 USD * bps} per 1e18 idx, exact; overflows (reverts) only above ~1e72 USD per share
                indexNet = navPerShare * (BPS - ep.indexHaircutBps);
            } catch {} // solhint-disable-line no-empty-blocks
            // {1e18 USSI}, down, one rounding
            if (indexNet != 0) minted += indexIn.mulDiv(indexNet, navPerToken * BPS);
            ep.indexNetPerShare = indexNet;
        }
        burned = ep.redeemShares;
        // {USDC} = {1e18 USSI} * {1e18 USD / 1e18 USSI} / (1e18 * {1e18 USD / USDC}); down, against the redeemers
        owed = burned.mulDiv(navPerToken, WAD * usdcScale);
    }

    function _verifySignatures(
        IUssiVault.NavReport calldata report,
        bytes[] calldata signatures,
        mapping(address => bool) storage isSigner,
        uint256 quorum,
        bytes32 typehash
    ) private view {
        // address(this) is the vault: a library called by delegatecall runs in its context.
        bytes32 domain = keccak256(abi.encode(DOMAIN_TYPEHASH, NAV_NAME_HASH, NAV_VERSION_HASH, block.chainid, address(this)));
        // abi.encode of a static struct lays its fields out as EIP-712 encodeData does.
        bytes32 digest = MessageHashUtils.toTypedDataHash(domain, keccak256(abi.encode(typehash, report)));
        address previous = address(0);
        uint256 count = signatures.length;
        for (uint256 i = 0; i < count; ++i) {
            // ECDSA.recover rejects malleable (high-s) signatures and reverts on garbage.
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert IQuorumVerifier.SignersNotAscending(previous, signer);
            if (!isSigner[signer]) revert IQuorumVerifier.UnknownSigner(signer);
            previous = signer;
        }
        if (count < quorum) revert IQuorumVerifier.QuorumNotMet(count, quorum);
    }

    function _checkValues(IUssiVault.NavReport calldata report, uint256 previousNav, uint256 maxNavChangeBps) private pure {
        uint256 navPerToken = report.navPerToken;
        if (navPerToken == 0) revert IUssiVault.ZeroNavPerToken();
        uint256 change = navPerToken > previousNav ? navPerToken - previousNav : previousNav - navPerToken;
        // change / previous <= maxNavChangeBps / 1e4, cross-multiplied (no rounding)
        if (change * BPS > previousNav * maxNavChangeBps) {
            revert IUssiVault.NavChangeTooLarge(previousNav, navPerToken, maxNavChangeBps);
        }
        // NAV = spot + perpPnl + funding + cash (METHODOLOGY 6) with cash >= 0: the implied cash is not negative.
        int256 impliedCash = SafeCast.toInt256(report.nav) - SafeCast.toInt256(report.spotValue) - report.perpPnl
            - report.fundingAccrued;
        if (impliedCash < 0) {
            revert IUssiVault.InconsistentNav(report.nav, report.spotValue, report.perpPnl, report.fundingAccrued);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IIndexValuation} from "../interfaces/IIndexValuation.sol";
import {IUssiVault} from "../interfaces/IUssiVault.sol";
import {UssiNavQuorum} from "./UssiNavQuorum.sol";
import {UssiNavLib} from "./UssiNavLib.sol";

/// @title UssiVault
/// @notice The USSI token (ERC-20 with EIP-2612 permit) and its vault: deposits (USDC or MAG7.ssi)
/// and redemptions are requests settled at the next signed NAV, redemptions are funded from the
/// liquid buffer or by the strategy, and a capped, discounted instant redemption serves small exits.
/// @dev Two EIP-712 domains: the permit domain (the token's name, version "1") is the one
/// `eip712Domain()` (EIP-5267) describes, so wallets build permits a holder can use; NAV reports are
/// signed under their own domain ("USSI Vault", "1"), published by `navReportDomain()`.
contract UssiVault is IUssiVault, ERC20Permit, UssiNavQuorum, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Math for uint256;
    using SafeCast for uint256;

    /// @notice Constructor arguments (a struct, to keep the constructor's stack small).
    /// @param usdc The USD stablecoin (at most 18 decimals), valued at 1 USD per whole token.
    /// @param indexToken The MAG7.ssi share token (18 decimals).
    /// @param indexValuation Where `navPerShare()` of MAG7.ssi is read (usually == indexToken).
    /// @param admin A TimelockController with at least MIN_ADMIN_DELAY; gets DEFAULT_ADMIN_ROLE.
    /// @param strategy Gets STRATEGY_ROLE. @param risk Gets RISK_ROLE (must differ from strategy).
    /// @param signers The NAV signer set. @param quorum Signatures a report needs.
    /// @param limits The initial risk limits.
    struct Config {
        IERC20Metadata usdc;
        IERC20 indexToken;
        IIndexValuation indexValuation;
        address admin;
        address strategy;
        address risk;
        address[] signers;
        uint256 quorum;
        Limits limits;
    }

    // == Constants ==
    bytes32 public constant STRATEGY_ROLE = keccak256("STRATEGY_ROLE");
    bytes32 public constant RISK_ROLE = keccak256("RISK_ROLE");
    /// @notice {s} the shortest delay the admin timelock may have.
    uint256 public constant MIN_ADMIN_DELAY = 1 days;
    /// @notice The EIP-712 type of NAV reports (NAV-report domain).
    bytes32 public constant NAV_REPORT_TYPEHASH = UssiNavLib.NAV_REPORT_TYPEHASH;
    // The bounds below are internal (their values are in `IUssiVault.Limits`): getters for each
    // would cost bytecode the EIP-170 margin needs.
    /// @notice {s} how far in the future a report's timestamp may be (signer clock skew).
    uint256 internal constant MAX_FUTURE_SKEW = UssiNavLib.MAX_FUTURE_SKEW;
    /// @notice Bound on the declared book, which `withdrawToVenue` loops over.
    uint256 internal constant MAX_BOOK_ASSETS = 32;
    /// @notice {s} bounds of maxNavAge (1 hour, 30 days): below the floor reports could not be
    /// relayed in time and settlement, hence every queued exit, would stop.
    uint256 internal constant MIN_NAV_AGE = UssiNavLib.MIN_NAV_AGE;
    uint256 internal constant MAX_NAV_AGE_LIMIT = UssiNavLib.MAX_NAV_AGE_LIMIT;
    /// @notice {bps} bounds of maxNavChangeBps (10, 500).
    uint256 internal constant MIN_NAV_CHANGE_BPS = UssiNavLib.MIN_NAV_CHANGE_BPS;
    uint256 internal constant MAX_NAV_CHANGE_BPS = UssiNavLib.MAX_NAV_CHANGE_BPS;
    /// @notice {bps} the largest indexHaircutBps RISK_ROLE may set.
    uint256 internal constant MAX_INDEX_HAIRCUT_BPS = UssiNavLib.MAX_INDEX_HAIRCUT_BPS;
    /// @notice {1e18 USD} the largest minRequestUsd RISK_ROLE may set.
    uint256 internal constant MAX_MIN_REQUEST_USD = UssiNavLib.MAX_MIN_REQUEST_USD;
    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;

    // == Immutables ==
    IERC20 private immutable _usdc;
    IERC20 private immutable _indexToken;
    IIndexValuation private immutable _indexValuation;
    /// @dev {1e18 USD} per {USDC base unit} = 10**(18 - usdc decimals).
    uint256 private immutable _usdcScale;

    // == Storage ==
    /// @dev The last accepted report; navPerToken starts at 1e18 (so the first report is bounded
    /// against 1 USD) and timestamp at 0 (stale).
    NavReport private _nav;
    Limits private _limits;
    uint64 private _epoch; // the open epoch; epoch e ends when the (e+1)-th report is accepted
    uint64 private _deltaBreachRound; // 0 = no delta pause
    uint64 private _instantEpoch; // the epoch `_instantPaid` counts
    bool private _navMidStep; // the last accepted report is an intermediate step: instant redemptions wait
    uint128 private _instantPaid; // {USDC} paid by instant redemptions in `_instantEpoch`
    uint256 private _owed; // {USDC} cumulative owed to settled redemptions
    uint256 private _funded; // {USDC} cumulative funded (<= _owed)
    uint256 private _reserved; // {USDC} funded and not yet claimed
    uint256 private _indexRefunds; // {1e18 MAG7.ssi} owed back to deposits that could not be valued
    mapping(uint256 epoch => Epoch) private _epochs;
    Request[] private _requests;
    mapping(address asset => bool) private _allowedAssets;
    mapping(address venue => bool) private _venues;
    address[] private _book;

    // == Constructor ==
    constructor(Config memory config)
        ERC20("USSI Hedged MAG7", "USSI")
        ERC20Permit("USSI Hedged MAG7")
        UssiNavQuorum(config.admin, config.signers, config.quorum)
    {
        if (
            address(config.usdc) == address(0) || address(config.indexToken) == address(0)
                || address(config.indexValuation) == address(0)
        ) revert InvalidConfig();
        uint8 usdcDecimals = config.usdc.decimals();
        if (usdcDecimals > 18) revert InvalidConfig();
        _usdc = IERC20(address(config.usdc));
        _indexToken = config.indexToken;
        _indexValuation = config.indexValuation;
        _usdcScale = 10 ** (18 - usdcDecimals);
        _nav.navPerToken = WAD;
        _setLimits(config.limits);
        _grantRole(STRATEGY_ROLE, config.strategy);
        _grantRole(RISK_ROLE, config.risk);
    }

    // == Requests ==

    /// @inheritdoc IUssiVault
    function requestDeposit(uint256 usdcIn) external nonReentrant returns (uint256 requestId) {
        // == Checks & Effects ==
        _requireDepositsOpen();
        _requireSize(usdcIn * _usdcScale); // {1e18 USD} = {USDC} * {1e18 USD / USDC}, exact
        Epoch storage ep = _epochs[_epoch];
        ep.depositUsdc = (ep.depositUsdc + usdcIn).toUint128();
        requestId = _pushRequest(RequestKind.DepositUsdc, usdcIn);
        // == Interactions ==
        _usdc.safeTransferFrom(msg.sender, address(this), usdcIn);
    }

    /// @inheritdoc IUssiVault
    function requestDepositIndex(uint256 indexIn) external nonReentrant returns (uint256 requestId) {
        // == Checks & Effects ==
        _requireDepositsOpen();
        uint256 navPerShare = _indexValuation.navPerShare(); // {1e18 USD} per 1e18 index shares
        if (navPerShare == 0) revert ZeroIndexValue();
        _requireSize(indexIn.mulDiv(navPerShare, WAD)); // {1e18 USD}, down: only sizes the request
        Epoch storage ep = _epochs[_epoch];
        uint256 pending = ep.depositIndex;
        // The epoch's first MAG7.ssi deposit fixes its haircut: a later setLimits cannot reprice a
        // pending request (that would move value between the depositor and holders).
        if (pending == 0) ep.indexHaircutBps = _limits.indexHaircutBps;
        ep.depositIndex = (pending + indexIn).toUint128();
        requestId = _pushRequest(RequestKind.DepositIndex, indexIn);
        // == Interactions ==
        _indexToken.safeTransferFrom(msg.sender, address(this), indexIn);
    }

    /// @inheritdoc IUssiVault
    function requestRedeem(uint256 shares) external returns (uint256 requestId) {
        // == Checks & Effects == (no external call: no reentrancy guard needed)
        // Not gated by pause, staleness or the allowed list: the queue is the exit nobody can close.
        if (shares != balanceOf(msg.sender)) _requireSize(shares.mulDiv(_nav.navPerToken, WAD)); // {1e18 USD}, down
        if (shares == 0) revert ZeroAmount();
        Epoch storage ep = _epochs[_epoch];
        ep.redeemShares = (ep.redeemShares + shares).toUint128();
        requestId = _pushRequest(RequestKind.Redeem, shares);
        // Escrowed, not burned: the shares stay in totalSupply, so the signed navPerToken (NAV over
        // supply) keeps counting them until settlement prices and burns them.
        _transfer(msg.sender, address(this), shares);
    }

    /// @inheritdoc IUssiVault
    function claim(uint256 requestId) external nonReentrant returns (uint256 amount) {
        // == Checks ==
        // Not gated by pause, staleness or the allowed list: the price was fixed at settlement.
        if (requestId >= _requests.length) revert UnknownRequest(requestId);
        Request storage r = _requests[requestId];
        if (msg.sender != r.owner) revert NotRequestOwner(requestId, msg.sender, r.owner);
        if (r.claimed) revert AlreadyClaimed(requestId);
        Epoch storage ep = _epochs[r.epoch];
        uint256 navPerToken = ep.navPerToken;
        if (navPerToken == 0) revert RequestNotSettled(requestId, r.epoch);
        RequestKind kind = r.kind;
        if (kind == RequestKind.Redeem && _funded < ep.owedEnd) {
            revert RequestNotFunded(requestId, ep.owedEnd - _funded);
        }
        // == Effects ==
        r.claimed = true;
        uint256 indexNet = ep.indexNetPerShare;
        amount = _claimAmount(r, navPerToken, indexNet);
        emit Claimed(requestId, msg.sender, r.epoch, navPerToken, amount);
        if (kind == RequestKind.Redeem) {
            _reserved -= amount; // <= this epoch's share of the funded total (see _claimAmount)
            // == Interactions ==
            _usdc.safeTransfer(msg.sender, amount);
        } else if (kind == RequestKind.DepositIndex && indexNet == 0) {
            _indexRefunds -= amount;
            // == Interactions ==
            _indexToken.safeTransfer(msg.sender, amount);
        } else {
            // Shares minted to the vault at settlement; the floors here sum to at most that mint.
            _transfer(address(this), msg.sender, amount);
        }
    }

    /// @inheritdoc IUssiVault
    function fulfil(uint256 maxAssetsIn) external nonReentrant returns (uint256 assetsIn) {
        // == Checks & Effects ==
        // Not gated by pause or staleness: the amounts owed were priced at settlement.
        uint256 outstanding = _owed - _funded;
        if (outstanding == 0) revert NothingToFulfil();
        uint256 fromBuffer = _fundFromBuffer(outstanding);
        assetsIn = Math.min(outstanding - fromBuffer, maxAssetsIn);
        _funded += assetsIn;
        _reserved += assetsIn;
        emit Fulfilled(msg.sender, fromBuffer, assetsIn, _funded, _owed);
        // == Interactions ==
        if (assetsIn != 0) _usdc.safeTransferFrom(msg.sender, address(this), assetsIn);
    }

    /// @inheritdoc IUssiVault
    function redeem(uint256 shares, uint256 minAssetsOut) external nonReentrant returns (uint256 assets) {
        // == Checks & Effects ==
        // Not gated by pause. Gated by staleness: the discount bounds one report's move, not many.
        uint256 navPerToken = _requireFreshNav();
        // Mid-step the NAV is known to be further off than one report's move, which the discount covers.
        if (_navMidStep) revert NavMidStep(_nav.round);
        assets = _instantAssets(shares, navPerToken);
        if (assets == 0) revert ZeroAmount();
        if (assets < minAssetsOut) revert AssetsBelowMinimum(assets, minAssetsOut);
        (uint256 capLeft, uint256 buffer) = _instantRoom(navPerToken);
        if (assets > buffer) revert InsufficientBuffer(assets, buffer);
        if (assets > capLeft) revert InstantCapReached(assets, capLeft);
        uint64 epoch = _epoch;
        if (_instantEpoch != epoch) {
            _instantEpoch = epoch;
            _instantPaid = 0;
        }
        _instantPaid += assets.toUint128();
        _burn(msg.sender, shares);
        emit Redeemed(msg.sender, epoch, shares, assets, navPerToken);
        // == Interactions ==
        _usdc.safeTransfer(msg.sender, assets);
    }

    // == NAV ==

    /// @inheritdoc IUssiVault
    function submitNavReport(NavReport calldata report, bytes[] calldata signatures) external returns (uint64 settledEpoch) {
        // No reentrancy guard needed: its one external call, `navPerShare()` at settlement, is a
        // view (STATICCALL), so it cannot change any state; the rest is this contract's own.
        // == Checks ==
        _accept(report, signatures, false);
        uint256 maxNetDeltaBps = _limits.maxNetDeltaBps;

        // == Effects == (`accept` stored the report as `_nav` and emitted NavReported)
        if (report.netDeltaBps > maxNetDeltaBps) {
            // Accepted all the same (the NAV is what it is, and exits must settle); new deposits wait.
            _deltaBreachRound = report.round;
            emit DeltaLimitBreached(report.round, report.netDeltaBps, maxNetDeltaBps);
        } else {
            uint64 breachRound = _deltaBreachRound;
            if (breachRound != 0) {
                _deltaBreachRound = 0;
                emit DeltaLimitCleared(report.round, breachRound);
            }
        }
        settledEpoch = _epoch;
        _epoch = settledEpoch + 1;
        _navMidStep = false;
        _settle(settledEpoch, report.round, report.navPerToken);
    }

    /// @inheritdoc IUssiVault
    function submitNavStep(NavReport calldata report, bytes[] calldata signatures) external {
        // == Checks == (those of a report, under the NavStep type; `accept` stores it as `_nav`)
        _accept(report, signatures, true);
        // == Effects == no epoch ends; instant redemptions wait for the final report.
        _navMidStep = true;
    }

    // == Strategy ==

    /// @inheritdoc IUssiVault
    function declareBook(address[] calldata assets) external onlyRole(STRATEGY_ROLE) {
        UssiNavLib.declareBook(_book, assets, _allowedAssets, MAX_BOOK_ASSETS);
        emit BookDeclared(assets);
    }

    /// @inheritdoc IUssiVault
    function withdrawToVenue(address venue, uint256 amount) external nonReentrant whenNotPaused onlyRole(STRATEGY_ROLE) {
        // == Checks, Effects, Interactions (in UssiNavLib.sendToVenue) ==
        if (!_venues[venue]) revert VenueNotAllowed(venue);
        if (amount == 0) revert ZeroAmount();
        _requireFreshNav();
        UssiNavLib.requireBookAllowed(_book, _allowedAssets);
        // Keep the buffer target and what settled redemptions are still owed.
        UssiNavLib.sendToVenue(_usdc, venue, amount, _liquid(), bufferTarget() + (_owed - _funded), false);
    }

    /// @inheritdoc IUssiVault
    function withdrawIndexToVenue(address venue, uint256 amount) external nonReentrant onlyRole(STRATEGY_ROLE) {
        // == Checks, Effects, Interactions (in UssiNavLib.sendToVenue) ==
        if (!_venues[venue]) revert VenueNotAllowed(venue);
        if (amount == 0) revert ZeroAmount();
        // Keep pending deposits and refunds owed.
        uint256 held = _indexToken.balanceOf(address(this));
        UssiNavLib.sendToVenue(_indexToken, venue, amount, held, _epochs[_epoch].depositIndex + _indexRefunds, true);
    }

    // == Risk ==

    /// @inheritdoc IUssiVault
    function setLimits(Limits calldata limits_) external onlyRole(RISK_ROLE) {
        _setLimits(limits_);
    }

    /// @inheritdoc IUssiVault
    function setAllowedAsset(address asset, bool allowed) external onlyRole(RISK_ROLE) {
        if (asset == address(0)) revert InvalidConfig();
        _allowedAssets[asset] = allowed;
        emit AllowedAssetUpdated(asset, allowed);
    }

    /// @inheritdoc IUssiVault
    function pause() external onlyRole(RISK_ROLE) {
        _pause();
    }

    /// @inheritdoc IUssiVault
    function unpause() external onlyRole(RISK_ROLE) {
        _unpause();
    }

    // == Admin ==

    /// @inheritdoc IUssiVault
    function setVenue(address venue, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (venue == address(0)) revert InvalidConfig();
        _venues[venue] = allowed;
        emit VenueUpdated(venue, allowed);
    }

    // == Views ==

    /// @inheritdoc IUssiVault
    function navReportDomain()
        external
        view
        returns (bytes1, string memory, string memory, uint256, address, bytes32, uint256[] memory)
    {
        return UssiNavLib.navReportDomain();
    }

    /// @inheritdoc IUssiVault
    function usdc() external view returns (address) {
        return address(_usdc);
    }

    /// @inheritdoc IUssiVault
    function indexToken() external view returns (address) {
        return address(_indexToken);
    }

    /// @inheritdoc IUssiVault
    function indexValuation() external view returns (address) {
        return address(_indexValuation);
    }

    /// @inheritdoc IUssiVault
    function lastAcceptedReport() external view returns (NavReport memory) {
        return _nav;
    }

    /// @inheritdoc IUssiVault
    function deltaBreachRound() external view returns (uint64) {
        return _deltaBreachRound;
    }

    /// @inheritdoc IUssiVault
    function isNavFresh() public view returns (bool) {
        uint256 timestamp = _nav.timestamp;
        return timestamp != 0 && block.timestamp <= timestamp + _limits.maxNavAge;
    }

    /// @inheritdoc IUssiVault
    function limits() external view returns (Limits memory) {
        return _limits;
    }

    /// @inheritdoc IUssiVault
    function currentEpoch() external view returns (uint64) {
        return _epoch;
    }

    /// @inheritdoc IUssiVault
    function epochInfo(uint64 epoch) external view returns (Epoch memory) {
        return _epochs[epoch];
    }

    /// @inheritdoc IUssiVault
    function request(uint256 requestId) external view returns (Request memory) {
        if (requestId >= _requests.length) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @inheritdoc IUssiVault
    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    /// @inheritdoc IUssiVault
    function liquidAssets() external view returns (uint256) {
        return _liquid();
    }

    /// @inheritdoc IUssiVault
    function reservedAssets() external view returns (uint256) {
        return _reserved;
    }

    /// @inheritdoc IUssiVault
    function redemptionFunding() external view returns (uint256 owed, uint256 funded) {
        return (_owed, _funded);
    }

    /// @inheritdoc IUssiVault
    function bufferTarget() public view returns (uint256) {
        // {1e18 USD}, up: a larger target keeps more USDC in the vault
        uint256 navUsd = totalSupply().mulDiv(_nav.navPerToken, WAD, Math.Rounding.Ceil);
        uint256 targetUsd = navUsd.mulDiv(_limits.bufferTargetBps, BPS, Math.Rounding.Ceil);
        return targetUsd.ceilDiv(_usdcScale); // {USDC}, up
    }

    /// @inheritdoc IUssiVault
    function instantCapacity() external view returns (uint256) {
        if (_navMidStep) return 0; // closed until the final report
        (uint256 capLeft, uint256 buffer) = _instantRoom(_nav.navPerToken);
        return Math.min(capLeft, buffer);
    }

    /// @inheritdoc IUssiVault
    function isAllowedAsset(address asset) external view returns (bool) {
        return _allowedAssets[asset];
    }

    /// @inheritdoc IUssiVault
    function book() external view returns (address[] memory) {
        return _book;
    }

    /// @inheritdoc IUssiVault
    function isVenue(address venue) external view returns (bool) {
        return _venues[venue];
    }

    /// @inheritdoc IUssiVault
    function previewRedeem(uint256 shares) external view returns (uint256) {
        return _instantAssets(shares, _nav.navPerToken);
    }

    // == Internal ==

    /// @dev Enforces the admin timelock and keeps STRATEGY_ROLE and RISK_ROLE on different accounts,
    /// whichever is granted first.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE) {
            UssiNavLib.requireTimelock(account, MIN_ADMIN_DELAY);
        } else if (role == STRATEGY_ROLE && hasRole(RISK_ROLE, account)) {
            revert RoleConflict(account, role);
        } else if (role == RISK_ROLE && hasRole(STRATEGY_ROLE, account)) {
            revert RoleConflict(account, role);
        }
        return super._grantRole(role, account);
    }

    /// @dev Verifies `report` (a `NavStep` when `step`) and stores it as `_nav` (UssiNavLib.accept).
    function _accept(NavReport calldata report, bytes[] calldata signatures, bool step) private {
        UssiNavLib.accept(report, signatures, _signerSet(), quorum(), _nav, _limits.maxNavAge, _limits.maxNavChangeBps, step);
    }

    function _setLimits(Limits memory limits_) private {
        UssiNavLib.setLimits(_limits, limits_); // checks every bound, stores, emits LimitsUpdated
    }

    /// @dev Settles epoch `e` at `navPerToken`, O(1): mints its deposits' shares to the vault (held
    /// for their claims), burns its escrowed redemption shares, adds what they are owed, and funds
    /// that from the liquid buffer as far as it goes.
    function _settle(uint64 e, uint64 round, uint256 navPerToken) private {
        Epoch storage ep = _epochs[e];
        (uint256 minted, uint256 burned, uint256 owed, uint256 indexNet) =
            UssiNavLib.settleEpoch(ep, navPerToken, _indexValuation, _usdcScale);
        if (ep.depositIndex != 0 && indexNet == 0) _indexRefunds += ep.depositIndex;
        uint256 owedEnd = _owed + owed;
        _owed = owedEnd;
        ep.owedEnd = owedEnd.toUint128();
        if (minted != 0) _mint(address(this), minted);
        if (burned != 0) _burn(address(this), burned);
        emit EpochSettled(e, round, navPerToken, indexNet, minted, burned, owed);
        uint256 outstanding = owedEnd - _funded;
        if (outstanding != 0) _fundFromBuffer(outstanding);
    }

    /// @dev Moves up to `outstanding` {USDC} of liquid USDC to the reserve of settled redemptions.
    function _fundFromBuffer(uint256 outstanding) private returns (uint256 fromBuffer) {
        fromBuffer = Math.min(_liquid(), outstanding);
        _funded += fromBuffer;
        _reserved += fromBuffer;
    }

    /// @dev What a claim pays (unit of its payout). Each is floored, so an epoch's claims sum to at
    /// most the epoch's total minted (deposits) or owed (redemptions), which used one floor.
    function _claimAmount(Request storage r, uint256 navPerToken, uint256 indexNet) private view returns (uint256) {
        uint256 amount = r.amount;
        RequestKind kind = r.kind;
        if (kind == RequestKind.Redeem) return amount.mulDiv(navPerToken, WAD * _usdcScale); // {USDC}, down
        if (kind == RequestKind.DepositUsdc) return (amount * _usdcScale).mulDiv(WAD, navPerToken); // {1e18 USSI}, down
        if (indexNet == 0) return amount; // {1e18 MAG7.ssi} returned in kind
        return amount.mulDiv(indexNet, navPerToken * BPS); // {1e18 USSI}, down
    }

    function _pushRequest(RequestKind kind, uint256 amount) private returns (uint256 requestId) {
        if (amount == 0) revert ZeroAmount();
        uint64 epoch = _epoch;
        requestId = _requests.length;
        _requests.push(Request({owner: msg.sender, epoch: epoch, kind: kind, claimed: false, amount: amount}));
        emit Requested(requestId, msg.sender, epoch, kind, amount);
    }

    function _requireDepositsOpen() private view {
        _requireNotPaused();
        uint64 breachRound = _deltaBreachRound;
        if (breachRound != 0) revert DeltaLimitActive(breachRound);
    }

    function _requireSize(uint256 valueUsd) private view {
        uint256 minimum = _limits.minRequestUsd;
        if (valueUsd < minimum) revert RequestTooSmall(valueUsd, minimum);
    }

    function _requireFreshNav() private view returns (uint256 navPerToken) {
        if (!isNavFresh()) revert NavStale(_nav.timestamp, _limits.maxNavAge, block.timestamp);
        return _nav.navPerToken;
    }

    /// @dev {USDC} an instant redemption pays: shares at navPerToken less the largest move one report
    /// may make, down: floor(shares * navPerToken * (1e4 - maxNavChangeBps) / (1e18 * usdcScale * 1e4)).
    function _instantAssets(uint256 shares, uint256 navPerToken) private view returns (uint256) {
        return shares.mulDiv(navPerToken * (BPS - _limits.maxNavChangeBps), WAD * _usdcScale * BPS);
    }

    /// @dev {USDC} left under this epoch's instant cap (floor(totalSupply * navPerToken * instantCapBps)),
    /// and the liquid USDC not owed to settled redemptions.
    function _instantRoom(uint256 navPerToken) private view returns (uint256 capLeft, uint256 buffer) {
        uint256 cap = totalSupply().mulDiv(navPerToken * _limits.instantCapBps, WAD * _usdcScale * BPS); // down
        uint256 paid = _instantEpoch == _epoch ? _instantPaid : 0;
        capLeft = cap > paid ? cap - paid : 0;
        uint256 liquid = _liquid();
        uint256 outstanding = _owed - _funded;
        buffer = liquid > outstanding ? liquid - outstanding : 0;
    }

    /// @dev {USDC} held that belongs to holders: not reserved for funded claims, not a pending
    /// deposit. Never negative: reserved USDC leaves only through `claim` (which lowers `_reserved`
    /// by as much), pending deposit USDC only becomes liquid at settlement.
    function _liquid() private view returns (uint256) {
        return _usdc.balanceOf(address(this)) - _reserved - _epochs[_epoch].depositUsdc;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {QuorumVerifier} from "../oracles/QuorumVerifier.sol";
import {IIndexValuation} from "../interfaces/IIndexValuation.sol";
import {IUssiVault} from "../interfaces/IUssiVault.sol";

/// @title UssiVault
/// @notice The USSI token and its vault: mints against USDC or MAG7.ssi at the signed NAV, pays
/// redemptions from a liquid USDC buffer or through a FIFO queue, and verifies NAV reports itself.
/// @dev The vault inherits QuorumVerifier rather than reading a separate NAV oracle: the report
/// checks depend on vault state (the last accepted navPerToken for the bound, the declared book for
/// the asset list) and on the same risk limits, and the delta-limit pause acts on minting here.
/// One contract keeps one role set, one admin timelock and no cross-contract trust.
contract UssiVault is IUssiVault, ERC20, QuorumVerifier, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Math for uint256;

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
    bytes32 public constant NAV_REPORT_TYPEHASH = keccak256(
        "NavReport(uint64 round,uint256 nav,uint256 navPerToken,uint256 spotValue,int256 perpPnl,int256 fundingAccrued,uint256 netDeltaBps,uint64 timestamp)"
    );
    /// @notice {s} the shortest delay the admin timelock may have.
    uint256 public constant MIN_ADMIN_DELAY = 1 days;
    /// @notice {s} how far in the future a report's timestamp may be (signer clock skew).
    uint256 public constant MAX_FUTURE_SKEW = 5 minutes;
    /// @notice Bound on the declared book, which every report and withdrawal loops over.
    uint256 public constant MAX_BOOK_ASSETS = 32;
    /// @notice {s} the largest maxNavAge RISK_ROLE may set.
    uint256 public constant MAX_NAV_AGE_LIMIT = 30 days;
    /// @notice {bps} the largest indexHaircutBps RISK_ROLE may set: a haircut is a price concession
    /// the minter accepts, not a way to confiscate deposits.
    uint256 public constant MAX_INDEX_HAIRCUT_BPS = 1_000;
    /// @notice {s} the longest indexLockPeriod RISK_ROLE may set.
    uint256 public constant MAX_INDEX_LOCK_PERIOD = 7 days;
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
    /// against 1 USD) and timestamp at 0 (stale: nothing mints before the first report).
    NavReport private _nav;
    uint64 private _lastRound; // last verified round, accepted or delta-breaching (rounds start at 1)
    uint64 private _lastTimestamp; // {unix s} of that report
    uint64 private _deltaBreachRound; // 0 = no delta pause
    Limits private _limits;
    uint256 private _reserved; // {USDC} owed to fulfilled, unclaimed requests
    uint256 private _nextToFulfil; // head of the FIFO queue
    RedeemRequest[] private _requests;
    mapping(address asset => bool) private _allowedAssets;
    mapping(address venue => bool) private _venues;
    address[] private _book;
    /// @dev Shares minted by `mintWithIndex` that may leave the account only through the queue
    /// until `unlockAt` (see `_update`). One slot: a later index mint adds to the amount and
    /// restarts the period for the whole amount.
    mapping(address account => IndexLock) private _indexLocks;

    struct IndexLock {
        uint192 shares; // {1e18 USSI}
        uint64 unlockAt; // {unix s}; the lock holds while block.timestamp < unlockAt
    }

    // == Constructor ==
    constructor(Config memory config)
        ERC20("USSI Hedged MAG7", "USSI")
        QuorumVerifier("USSI Vault", "1", config.admin, config.signers, config.quorum)
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

    // == Minting ==

    /// @inheritdoc IUssiVault
    function mint(uint256 usdcIn, uint256 minSharesOut) external nonReentrant whenNotPaused returns (uint256 shares) {
        // == Checks & Effects ==
        uint256 navPerToken = _requireMintable();
        uint256 valueUsd = usdcIn * _usdcScale; // {1e18 USD} = {USDC} * {1e18 USD / USDC}, exact
        // {1e18 USSI} = {1e18 USD} * 1e18 / {1e18 USD per 1e18 USSI}; down, against the minter
        shares = valueUsd.mulDiv(WAD, navPerToken, Math.Rounding.Floor);
        _checkSharesOut(shares, minSharesOut);
        _mint(msg.sender, shares);
        emit Minted(msg.sender, address(_usdc), usdcIn, valueUsd, shares, navPerToken);
        // == Interactions ==
        _usdc.safeTransferFrom(msg.sender, address(this), usdcIn);
    }

    /// @inheritdoc IUssiVault
    function mintShares(uint256 shares, uint256 maxUsdcIn) external nonReentrant whenNotPaused returns (uint256 usdcIn) {
        // == Checks & Effects ==
        uint256 navPerToken = _requireMintable();
        if (shares == 0) revert ZeroAmount();
        usdcIn = _toAssetsUp(shares, navPerToken); // amount in, rounded up against the minter
        if (usdcIn > maxUsdcIn) revert AssetsAboveMaximum(usdcIn, maxUsdcIn);
        _mint(msg.sender, shares);
        emit Minted(msg.sender, address(_usdc), usdcIn, usdcIn * _usdcScale, shares, navPerToken);
        // == Interactions ==
        _usdc.safeTransferFrom(msg.sender, address(this), usdcIn);
    }

    /// @inheritdoc IUssiVault
    function mintWithIndex(uint256 indexIn, uint256 minSharesOut)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 shares)
    {
        // == Checks & Effects ==
        uint256 navPerToken = _requireMintable();
        uint256 navPerShare = _indexValuation.navPerShare(); // {1e18 USD} per 1e18 index shares
        if (navPerShare == 0) revert ZeroIndexValue();
        uint256 netPerShare = _netPerShare(navPerShare); // {1e18 USD * bps} per 1e18 index shares, exact
        // {1e18 USD}, down: only reported in the event (the value credited, haircut included)
        uint256 valueUsd = indexIn.mulDiv(netPerShare, WAD * BPS, Math.Rounding.Floor);
        // {1e18 USSI} = {1e18 idx} * {USD*bps/idx} / ({USD/USSI} * bps); one rounding, down, against the minter
        shares = indexIn.mulDiv(netPerShare, navPerToken * BPS, Math.Rounding.Floor);
        _checkSharesOut(shares, minSharesOut);
        // The new shares (and any still locked) may leave only through the queue until the lock
        // ends: no mint-then-instant-redeem loop at a lagging oracle price, no flash-loan scale,
        // and the strategy has the period to hedge or sell the MAG7.ssi before USDC leaves.
        IndexLock storage lock = _indexLocks[msg.sender];
        uint256 locked = block.timestamp < lock.unlockAt ? lock.shares : 0;
        uint64 unlockAt = SafeCast.toUint64(block.timestamp + _limits.indexLockPeriod);
        lock.shares = SafeCast.toUint192(locked + shares);
        lock.unlockAt = unlockAt;
        _mint(msg.sender, shares);
        emit Minted(msg.sender, address(_indexToken), indexIn, valueUsd, shares, navPerToken);
        emit IndexSharesLocked(msg.sender, locked + shares, unlockAt);
        // == Interactions ==
        _indexToken.safeTransferFrom(msg.sender, address(this), indexIn);
    }

    // == Redemption ==

    /// @inheritdoc IUssiVault
    function redeem(uint256 shares, uint256 minAssetsOut) external nonReentrant returns (uint256 assets) {
        // == Checks & Effects ==
        // Not gated by pause: redemptions never are. Gated by staleness: a stale price could be gamed.
        uint256 navPerToken = _requireFreshNav();
        assets = _toAssetsDown(shares, navPerToken);
        if (assets == 0) revert ZeroAmount();
        if (assets < minAssetsOut) revert AssetsBelowMinimum(assets, minAssetsOut);
        uint256 liquid = _liquid();
        if (assets > liquid) revert InsufficientBuffer(assets, liquid);
        _burn(msg.sender, shares);
        emit Redeemed(msg.sender, shares, assets, navPerToken);
        // == Interactions ==
        _usdc.safeTransfer(msg.sender, assets);
    }

    /// @inheritdoc IUssiVault
    function requestRedeem(uint256 shares) external nonReentrant returns (uint256 requestId) {
        // == Checks & Effects ==
        if (shares == 0) revert ZeroAmount();
        // The queue is the way out for index-minted shares: it releases locked shares first.
        IndexLock storage lock = _indexLocks[msg.sender];
        if (block.timestamp < lock.unlockAt && lock.shares != 0) {
            uint256 locked = lock.shares;
            lock.shares = uint192(locked - Math.min(locked, shares)); // <= locked: fits
        }
        requestId = _requests.length;
        _requests.push(RedeemRequest({owner: msg.sender, claimed: false, shares: shares, assets: 0}));
        // Escrowed, not burned: the shares stay in totalSupply, so the signed navPerToken (NAV over
        // supply) keeps counting them until fulfilment prices and burns them.
        _transfer(msg.sender, address(this), shares);
        emit RedeemRequested(requestId, msg.sender, shares);
    }

    /// @inheritdoc IUssiVault
    function fulfil(uint256 count, uint256 maxAssetsIn)
        external
        nonReentrant
        onlyRole(STRATEGY_ROLE)
        returns (uint256 assetsIn)
    {
        // == Checks & Effects ==
        uint256 head = _nextToFulfil;
        uint256 pending = _requests.length - head;
        if (count == 0 || count > pending) revert InvalidFulfilCount(count, pending);
        uint256 navPerToken = _requireFreshNav();
        uint256 sharesBurned;
        uint256 end = head + count;
        for (uint256 id = head; id < end; ++id) {
            RedeemRequest storage request = _requests[id];
            uint256 shares = request.shares;
            uint256 assets = _toAssetsDown(shares, navPerToken); // down, against the redeemer
            request.assets = assets;
            sharesBurned += shares;
            assetsIn += assets;
            emit RedeemFulfilled(id, request.owner, shares, assets, navPerToken);
        }
        if (assetsIn > maxAssetsIn) revert AssetsAboveMaximum(assetsIn, maxAssetsIn);
        _nextToFulfil = end;
        _reserved += assetsIn;
        _burn(address(this), sharesBurned);
        // == Interactions ==
        _usdc.safeTransferFrom(msg.sender, address(this), assetsIn);
    }

    /// @inheritdoc IUssiVault
    function claim(uint256 requestId) external nonReentrant returns (uint256 assets) {
        // == Checks & Effects ==
        // Not gated by pause or staleness: the price was fixed and the USDC reserved at fulfilment.
        if (requestId >= _requests.length) revert UnknownRequest(requestId);
        RedeemRequest storage request = _requests[requestId];
        if (msg.sender != request.owner) revert NotRequestOwner(requestId, msg.sender, request.owner);
        if (requestId >= _nextToFulfil) revert RequestNotFulfilled(requestId);
        if (request.claimed) revert AlreadyClaimed(requestId);
        request.claimed = true;
        assets = request.assets;
        _reserved -= assets;
        emit Claimed(requestId, msg.sender, assets);
        // == Interactions ==
        _usdc.safeTransfer(msg.sender, assets);
    }

    // == NAV ==

    /// @inheritdoc IUssiVault
    function submitNavReport(NavReport calldata report, bytes[] calldata signatures) external returns (bool accepted) {
        // == Checks ==
        // abi.encode of a static struct lays its fields out as EIP-712 encodeData does.
        _verifyQuorum(keccak256(abi.encode(NAV_REPORT_TYPEHASH, report)), signatures);
        Limits memory limits_ = _limits;
        uint256 timestamp = report.timestamp;
        if (timestamp > block.timestamp + MAX_FUTURE_SKEW) revert FutureReport(report.timestamp, block.timestamp);
        if (timestamp + limits_.maxNavAge < block.timestamp) {
            revert StaleReport(report.timestamp, block.timestamp, limits_.maxNavAge);
        }
        if (report.round <= _lastRound) revert RoundNotIncreasing(report.round, _lastRound);
        if (report.timestamp <= _lastTimestamp) revert TimestampNotIncreasing(report.timestamp, _lastTimestamp);

        // == Effects ==
        // A verified report consumes its round and time even when it is not accepted as NAV.
        _lastRound = report.round;
        _lastTimestamp = report.timestamp;
        if (report.netDeltaBps > limits_.maxNetDeltaBps) {
            // Recorded, not reverted: a reverted breach would leave no trace and no pause. Checked
            // before the NAV checks so that a quorum reporting a breach always stops minting.
            _deltaBreachRound = report.round;
            emit DeltaLimitBreached(report.round, report.netDeltaBps, limits_.maxNetDeltaBps);
            return false;
        }
        // == Checks of a compliant report == (a revert here also undoes the round/time update above)
        _requireBookAllowed();
        _checkNavValues(report, limits_.maxNavChangeBps);
        // == Effects ==
        _nav = report;
        uint64 breachRound = _deltaBreachRound;
        if (breachRound != 0) {
            _deltaBreachRound = 0;
            emit DeltaLimitCleared(report.round, breachRound);
        }
        emit NavReported(report.round, report);
        return true;
    }

    // == Strategy ==

    /// @inheritdoc IUssiVault
    function declareBook(address[] calldata assets) external onlyRole(STRATEGY_ROLE) {
        uint256 n = assets.length;
        if (n > MAX_BOOK_ASSETS) revert BookTooLarge(n, MAX_BOOK_ASSETS);
        for (uint256 i = 0; i < n; ++i) {
            address asset = assets[i];
            if (!_allowedAssets[asset]) revert AssetNotAllowed(asset);
            for (uint256 j = 0; j < i; ++j) {
                if (assets[j] == asset) revert DuplicateBookAsset(asset);
            }
        }
        _book = assets;
        emit BookDeclared(assets);
    }

    /// @inheritdoc IUssiVault
    function withdrawToVenue(address venue, uint256 amount) external nonReentrant whenNotPaused onlyRole(STRATEGY_ROLE) {
        // == Checks & Effects ==
        if (!_venues[venue]) revert VenueNotAllowed(venue);
        if (amount == 0) revert ZeroAmount();
        _requireFreshNav();
        _requireBookAllowed();
        uint256 liquid = _liquid();
        uint256 target = bufferTarget();
        uint256 available = liquid > target ? liquid - target : 0;
        if (amount > available) revert WithdrawalAboveBuffer(amount, available);
        emit WithdrawnToVenue(venue, amount, liquid - amount);
        // == Interactions ==
        _usdc.safeTransfer(venue, amount);
    }

    /// @inheritdoc IUssiVault
    function withdrawIndexToVenue(address venue, uint256 amount)
        external
        nonReentrant
        whenNotPaused
        onlyRole(STRATEGY_ROLE)
    {
        // == Checks & Effects ==
        if (!_venues[venue]) revert VenueNotAllowed(venue);
        if (amount == 0) revert ZeroAmount();
        _requireBookAllowed();
        uint256 held = _indexToken.balanceOf(address(this));
        if (amount > held) revert IndexWithdrawalAboveHeld(amount, held);
        emit IndexWithdrawnToVenue(venue, amount, held - amount);
        // == Interactions ==
        _indexToken.safeTransfer(venue, amount);
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
    function lastVerified() external view returns (uint64 round, uint64 timestamp) {
        return (_lastRound, _lastTimestamp);
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
    function liquidAssets() external view returns (uint256) {
        return _liquid();
    }

    /// @inheritdoc IUssiVault
    function reservedAssets() external view returns (uint256) {
        return _reserved;
    }

    /// @inheritdoc IUssiVault
    function bufferTarget() public view returns (uint256) {
        // {1e18 USD}, up: a larger target keeps more USDC in the vault
        uint256 navUsd = totalSupply().mulDiv(_nav.navPerToken, WAD, Math.Rounding.Ceil);
        uint256 targetUsd = navUsd.mulDiv(_limits.bufferTargetBps, BPS, Math.Rounding.Ceil);
        return targetUsd.ceilDiv(_usdcScale); // {USDC}, up
    }

    /// @inheritdoc IUssiVault
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory) {
        if (requestId >= _requests.length) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @inheritdoc IUssiVault
    function queue() external view returns (uint256 nextToFulfil, uint256 requestCount) {
        return (_nextToFulfil, _requests.length);
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
    function indexLock(address account) public view returns (uint256 shares, uint64 unlockAt) {
        IndexLock memory lock = _indexLocks[account];
        if (block.timestamp >= lock.unlockAt) return (0, 0);
        return (lock.shares, lock.unlockAt);
    }

    /// @inheritdoc IUssiVault
    function previewMint(uint256 usdcIn) external view returns (uint256 shares) {
        return (usdcIn * _usdcScale).mulDiv(WAD, _nav.navPerToken, Math.Rounding.Floor);
    }

    /// @inheritdoc IUssiVault
    function previewMintShares(uint256 shares) external view returns (uint256 usdcIn) {
        return _toAssetsUp(shares, _nav.navPerToken);
    }

    /// @inheritdoc IUssiVault
    function previewMintWithIndex(uint256 indexIn) external view returns (uint256 shares) {
        return indexIn.mulDiv(_netPerShare(_indexValuation.navPerShare()), _nav.navPerToken * BPS, Math.Rounding.Floor);
    }

    /// @inheritdoc IUssiVault
    function previewRedeem(uint256 shares) external view returns (uint256 assets) {
        return _toAssetsDown(shares, _nav.navPerToken);
    }

    // == Internal ==

    /// @dev Enforces the admin timelock and keeps STRATEGY_ROLE and RISK_ROLE on different accounts.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE) {
            _requireTimelock(account);
        } else if (role == STRATEGY_ROLE && hasRole(RISK_ROLE, account)) {
            revert RoleConflict(account, role);
        } else if (role == RISK_ROLE && hasRole(STRATEGY_ROLE, account)) {
            revert RoleConflict(account, role);
        }
        return super._grantRole(role, account);
    }

    /// @dev Every balance decrease (transfer, transferFrom, burn by `redeem`) must leave at least the
    /// account's locked index-minted shares; `requestRedeem` releases them before its transfer.
    /// Mints (from == 0) and the vault's own escrow (never locked) pass.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0)) {
            (uint256 locked, uint64 unlockAt) = indexLock(from);
            uint256 balance = balanceOf(from);
            if (balance < locked) revert IndexSharesLockedUntil(from, balance, locked, unlockAt);
        }
    }

    function _requireTimelock(address account) private view {
        if (account.code.length == 0) revert AdminNotTimelock(account);
        try TimelockController(payable(account)).getMinDelay() returns (uint256 delay) {
            if (delay < MIN_ADMIN_DELAY) revert AdminDelayTooShort(account, delay, MIN_ADMIN_DELAY);
        } catch {
            revert AdminNotTimelock(account);
        }
    }

    function _setLimits(Limits memory limits_) private {
        if (limits_.maxNavAge == 0 || limits_.maxNavAge > MAX_NAV_AGE_LIMIT) {
            revert InvalidLimit("maxNavAge", limits_.maxNavAge);
        }
        if (limits_.maxNavChangeBps == 0 || limits_.maxNavChangeBps > BPS) {
            revert InvalidLimit("maxNavChangeBps", limits_.maxNavChangeBps);
        }
        if (limits_.maxNetDeltaBps > BPS) revert InvalidLimit("maxNetDeltaBps", limits_.maxNetDeltaBps);
        if (limits_.bufferTargetBps > BPS) revert InvalidLimit("bufferTargetBps", limits_.bufferTargetBps);
        if (limits_.indexHaircutBps > MAX_INDEX_HAIRCUT_BPS) {
            revert InvalidLimit("indexHaircutBps", limits_.indexHaircutBps);
        }
        // At least 1 s: timestamps increase between blocks, so no same-block mint-then-redeem.
        if (limits_.indexLockPeriod == 0 || limits_.indexLockPeriod > MAX_INDEX_LOCK_PERIOD) {
            revert InvalidLimit("indexLockPeriod", limits_.indexLockPeriod);
        }
        _limits = limits_;
        emit LimitsUpdated(limits_);
    }

    /// @dev The navPerToken mints may use: fresh and not under a delta-limit pause.
    function _requireMintable() private view returns (uint256 navPerToken) {
        uint64 breachRound = _deltaBreachRound;
        if (breachRound != 0) revert DeltaLimitActive(breachRound);
        return _requireFreshNav();
    }

    function _requireFreshNav() private view returns (uint256 navPerToken) {
        if (!isNavFresh()) revert NavStale(_nav.timestamp, _limits.maxNavAge, block.timestamp);
        return _nav.navPerToken;
    }

    /// @dev The value checks of a compliant report: non-zero navPerToken, within the per-report
    /// bound of the last accepted one, and nav >= spotValue + perpPnl + fundingAccrued.
    function _checkNavValues(NavReport calldata report, uint256 maxNavChangeBps) private view {
        uint256 navPerToken = report.navPerToken;
        if (navPerToken == 0) revert ZeroNavPerToken();
        uint256 previous = _nav.navPerToken;
        uint256 change = navPerToken > previous ? navPerToken - previous : previous - navPerToken;
        // change / previous <= maxNavChangeBps / 1e4, cross-multiplied (no rounding)
        if (change * BPS > previous * maxNavChangeBps) {
            revert NavChangeTooLarge(previous, navPerToken, maxNavChangeBps);
        }
        // NAV = spot + perpPnl + funding + cash (METHODOLOGY 6) with cash >= 0. Cash is not reported,
        // so the check is that the implied cash is not negative.
        int256 impliedCash = SafeCast.toInt256(report.nav) - SafeCast.toInt256(report.spotValue) - report.perpPnl
            - report.fundingAccrued;
        if (impliedCash < 0) {
            revert InconsistentNav(report.nav, report.spotValue, report.perpPnl, report.fundingAccrued);
        }
    }

    function _requireBookAllowed() private view {
        uint256 n = _book.length;
        for (uint256 i = 0; i < n; ++i) {
            address asset = _book[i];
            if (!_allowedAssets[asset]) revert AssetNotAllowed(asset);
        }
    }

    /// @dev The haircut value of 1e18 index shares in {1e18 USD * bps}: navPerShare * (1e4 - indexHaircutBps),
    /// exact (no division here, so mints round once). Overflows (reverts) only above ~1e72 USD per share.
    function _netPerShare(uint256 navPerShare) private view returns (uint256) {
        return navPerShare * (BPS - _limits.indexHaircutBps);
    }

    function _checkSharesOut(uint256 shares, uint256 minSharesOut) private pure {
        if (shares == 0) revert ZeroAmount();
        if (shares < minSharesOut) revert SharesBelowMinimum(shares, minSharesOut);
    }

    /// @dev {USDC} = {1e18 USSI} * {1e18 USD per 1e18 USSI} / (1e18 * {1e18 USD per USDC}); down.
    function _toAssetsDown(uint256 shares, uint256 navPerToken) private view returns (uint256) {
        return shares.mulDiv(navPerToken, WAD * _usdcScale, Math.Rounding.Floor);
    }

    /// @dev As `_toAssetsDown`, rounded up: for USDC coming in.
    function _toAssetsUp(uint256 shares, uint256 navPerToken) private view returns (uint256) {
        return shares.mulDiv(navPerToken, WAD * _usdcScale, Math.Rounding.Ceil);
    }

    /// @dev {USDC} held and not reserved for fulfilled requests. Never negative: reserved USDC only
    /// leaves through `claim`, which lowers `_reserved` by the same amount.
    function _liquid() private view returns (uint256) {
        return _usdc.balanceOf(address(this)) - _reserved;
    }
}

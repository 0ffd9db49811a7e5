// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IUssiVault
/// @notice USSI: an ERC-20 (18 decimals) whose value tracks a delta-neutral hedged MAG7 book
/// (spot leg + short perps earning funding), per METHODOLOGY section 6.
///
/// Units: "USD" amounts are {1e18 USD}; USDC amounts are {USDC base units} (USDC valued at 1 USD);
/// USSI and index-share amounts are {1e18 shares}; navPerToken is {1e18 USD} per 1e18 USSI.
///
/// Roles:
/// - STRATEGY_ROLE declares the book, withdraws USDC above the buffer target and MAG7.ssi to a
///   whitelisted venue, and fulfils queued redemptions by depositing USDC. It cannot change any limit.
/// - RISK_ROLE sets limits, manages the allowed large-cap asset list, pauses and unpauses. It has
///   no function that moves funds.
/// - DEFAULT_ADMIN_ROLE must be a TimelockController with at least `MIN_ADMIN_DELAY`: every role
///   grant, signer-set change and venue whitelist change waits out that delay.
/// - NAV reports need no role: a quorum of the signer set authorises them, anyone may relay them.
///
/// Invariants (tested): a mint followed by a redeem never returns more USD than went in; a queued
/// request is fulfilled only in FIFO order and claimed at most once; USDC reserved for fulfilled
/// requests is never counted as buffer; redemptions (instant and claims) are never blocked by pause;
/// no account's balance falls below its locked index-minted shares except through `requestRedeem`.
interface IUssiVault {
    // == Types ==

    /// @notice A NAV report, signed as EIP-712 `NavReport` by the signer set. All values {1e18 USD}
    /// except `netDeltaBps` {bps of NAV} and `timestamp` {unix seconds, the valuation time}.
    /// NAV = spotValue + perpPnl + fundingAccrued + cash, with cash >= 0 (METHODOLOGY 6).
    struct NavReport {
        uint64 round;
        uint256 nav;
        uint256 navPerToken;
        uint256 spotValue;
        int256 perpPnl;
        int256 fundingAccrued;
        uint256 netDeltaBps;
        uint64 timestamp;
    }

    /// @notice Risk limits, set by RISK_ROLE.
    /// @param maxNavAge {s} a NAV older than this blocks minting, instant redemption, fulfilment
    /// and withdrawals; a report older than this at submission is rejected. In (0, 30 days].
    /// @param maxNavChangeBps {bps} largest move of navPerToken per report vs the last accepted one. In (0, 10000].
    /// @param maxNetDeltaBps {bps of NAV} largest |net delta| a report may carry. At most 10000.
    /// @param bufferTargetBps {bps of NAV} USDC the strategy must leave in the vault. At most 10000.
    /// @param indexHaircutBps {bps} taken off the feed-based value of MAG7.ssi in `mintWithIndex`, to
    /// cover the Chainlink feeds' lag behind the market (at least the basket's weighted deviation
    /// threshold). At most `MAX_INDEX_HAIRCUT_BPS` (1000).
    /// @param indexLockPeriod {s} how long shares minted with MAG7.ssi may leave their account only
    /// through `requestRedeem` (no transfer, no instant `redeem`). In [1, `MAX_INDEX_LOCK_PERIOD` (7 days)].
    struct Limits {
        uint64 maxNavAge;
        uint32 maxNavChangeBps;
        uint32 maxNetDeltaBps;
        uint32 bufferTargetBps;
        uint32 indexHaircutBps;
        uint64 indexLockPeriod;
    }

    /// @notice A queued redemption. `assets` is set at fulfilment.
    /// @param owner Who requested, and the only account that may claim.
    /// @param claimed Whether the USDC was paid out.
    /// @param shares {1e18 USSI} escrowed in the vault at request, burned at fulfilment.
    /// @param assets {USDC base units} owed, floor(shares * navPerToken at fulfilment / 1e18).
    struct RedeemRequest {
        address owner;
        bool claimed;
        uint256 shares;
        uint256 assets;
    }

    // == Errors ==

    /// @notice The admin is not a contract exposing `getMinDelay` (a TimelockController).
    error AdminNotTimelock(address admin);
    /// @notice The admin timelock's delay {s} is below `MIN_ADMIN_DELAY`.
    error AdminDelayTooShort(address admin, uint256 delay, uint256 minDelay);
    /// @notice A token has more than 18 decimals, or an address argument is zero.
    error InvalidConfig();
    /// @notice STRATEGY_ROLE and RISK_ROLE must never be held by the same account.
    error RoleConflict(address account, bytes32 role);
    /// @notice A limit outside its allowed range; `name` is the field name.
    error InvalidLimit(bytes32 name, uint256 value);

    /// @notice The last accepted NAV (valuation time `navTimestamp`) is older than `maxNavAge` {s}.
    error NavStale(uint64 navTimestamp, uint256 maxNavAge, uint256 nowTimestamp);
    /// @notice Minting is paused because report `round` breached the net delta limit and no
    /// compliant report has arrived since.
    error DeltaLimitActive(uint64 round);
    /// @notice An amount, or the amount it rounds to, is zero.
    error ZeroAmount();
    /// @notice Fewer shares out than the caller's minimum.
    error SharesBelowMinimum(uint256 shares, uint256 minShares);
    /// @notice Fewer USDC out than the caller's minimum.
    error AssetsBelowMinimum(uint256 assets, uint256 minAssets);
    /// @notice More USDC in than the caller's maximum.
    error AssetsAboveMaximum(uint256 assets, uint256 maxAssets);
    /// @notice The liquid USDC buffer {USDC} cannot pay `needed` {USDC}: use `requestRedeem`.
    error InsufficientBuffer(uint256 needed, uint256 available);
    /// @notice The index valuation returned zero.
    error ZeroIndexValue();

    /// @notice The report's valuation time is older than `maxNavAge` at submission.
    error StaleReport(uint64 timestamp, uint256 nowTimestamp, uint256 maxNavAge);
    /// @notice The report's valuation time is beyond now + `MAX_FUTURE_SKEW`.
    error FutureReport(uint64 timestamp, uint256 nowTimestamp);
    /// @notice The round is not above the last verified round.
    error RoundNotIncreasing(uint64 round, uint64 lastRound);
    /// @notice The timestamp is not after the last verified report's timestamp.
    error TimestampNotIncreasing(uint64 timestamp, uint64 lastTimestamp);
    /// @notice navPerToken moved by more than `maxNavChangeBps` vs the last accepted report.
    error NavChangeTooLarge(uint256 previousNavPerToken, uint256 navPerToken, uint256 maxNavChangeBps);
    /// @notice nav < spotValue + perpPnl + fundingAccrued: the implied cash would be negative.
    error InconsistentNav(uint256 nav, uint256 spotValue, int256 perpPnl, int256 fundingAccrued);
    /// @notice A report with navPerToken == 0.
    error ZeroNavPerToken();

    /// @notice `asset` is not on the allowed large-cap list.
    error AssetNotAllowed(address asset);
    /// @notice `asset` appears twice in a declared book.
    error DuplicateBookAsset(address asset);
    /// @notice A book with more than `MAX_BOOK_ASSETS` assets.
    error BookTooLarge(uint256 length, uint256 maxLength);
    /// @notice `venue` is not a whitelisted withdrawal destination.
    error VenueNotAllowed(address venue);
    /// @notice A withdrawal of `amount` {USDC} above the USDC in excess of the buffer target, `available` {USDC}.
    error WithdrawalAboveBuffer(uint256 amount, uint256 available);
    /// @notice A withdrawal of `amount` {1e18 MAG7.ssi} above the `held` {1e18 MAG7.ssi} in the vault.
    error IndexWithdrawalAboveHeld(uint256 amount, uint256 held);
    /// @notice `account` would keep `balance` {1e18 USSI}, below its `locked` index-minted shares,
    /// which until `unlockAt` {unix s} may leave only through `requestRedeem`.
    error IndexSharesLockedUntil(address account, uint256 balance, uint256 locked, uint64 unlockAt);

    /// @notice Fulfilling `count` requests when only `pending` are queued (or `count` is zero).
    error InvalidFulfilCount(uint256 count, uint256 pending);
    /// @notice No request with this id.
    error UnknownRequest(uint256 requestId);
    /// @notice Only the request's owner may claim it.
    error NotRequestOwner(uint256 requestId, address caller, address owner);
    /// @notice The request is still waiting in the queue.
    error RequestNotFulfilled(uint256 requestId);
    /// @notice The request was already claimed.
    error AlreadyClaimed(uint256 requestId);

    // == Events ==

    /// @notice USSI minted against USDC or index shares at `navPerToken`.
    /// @param assetIn The USDC or index token address. @param amountIn {token base units}.
    /// @param valueUsd {1e18 USD} value credited, floor. @param shares {1e18 USSI} minted, floor.
    event Minted(
        address indexed account, address indexed assetIn, uint256 amountIn, uint256 valueUsd, uint256 shares, uint256 navPerToken
    );
    /// @notice `shares` burned and `assets` {USDC} paid from the buffer at `navPerToken`.
    event Redeemed(address indexed account, uint256 shares, uint256 assets, uint256 navPerToken);
    /// @notice `shares` escrowed as request `requestId`, to be priced at fulfilment.
    event RedeemRequested(uint256 indexed requestId, address indexed owner, uint256 shares);
    /// @notice Request `requestId` priced at `navPerToken`: `shares` burned, `assets` {USDC} reserved for the owner.
    event RedeemFulfilled(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 assets, uint256 navPerToken);
    /// @notice Request `requestId` paid out.
    event Claimed(uint256 indexed requestId, address indexed owner, uint256 assets);

    /// @notice Report `round` was verified and accepted as the NAV; `report` holds all its fields
    /// (nav, navPerToken, spotValue, perpPnl, fundingAccrued, netDeltaBps, timestamp).
    event NavReported(uint64 indexed round, NavReport report);
    /// @notice A verified report carried |net delta| above the limit: not accepted as NAV, minting paused.
    event DeltaLimitBreached(uint64 indexed round, uint256 netDeltaBps, uint256 maxNetDeltaBps);
    /// @notice A compliant report ended the delta-limit pause that `breachRound` started.
    event DeltaLimitCleared(uint64 indexed round, uint64 breachRound);

    /// @notice New limits.
    event LimitsUpdated(Limits limits);
    /// @notice `asset` added to (true) or removed from (false) the allowed large-cap list.
    event AllowedAssetUpdated(address indexed asset, bool allowed);
    /// @notice `venue` added to (true) or removed from (false) the withdrawal whitelist.
    event VenueUpdated(address indexed venue, bool allowed);
    /// @notice The strategy declared the assets its book holds.
    event BookDeclared(address[] assets);
    /// @notice `amount` {USDC} sent to `venue`; `liquidAfter` {USDC} stays in the buffer.
    event WithdrawnToVenue(address indexed venue, uint256 amount, uint256 liquidAfter);
    /// @notice `amount` {1e18 MAG7.ssi} sent to `venue` (to hedge or sell); `heldAfter` {1e18 MAG7.ssi} stays.
    event IndexWithdrawnToVenue(address indexed venue, uint256 amount, uint256 heldAfter);
    /// @notice `account` now holds `shares` {1e18 USSI} minted with MAG7.ssi that may leave only through
    /// `requestRedeem` until `unlockAt` {unix s}.
    event IndexSharesLocked(address indexed account, uint256 shares, uint64 unlockAt);

    // == Minting ==

    /// @notice Mints USSI for `usdcIn` {USDC} at the current navPerToken.
    /// @dev shares = floor(usdcIn * 1e18 * usdcScale / navPerToken) (against the minter). Reverts when
    /// paused, when the NAV is stale, during a delta-limit pause, or when shares round to zero.
    /// @return shares {1e18 USSI} minted.
    function mint(uint256 usdcIn, uint256 minSharesOut) external returns (uint256 shares);

    /// @notice Mints exactly `shares` {1e18 USSI}, pulling the USDC they cost at the current navPerToken.
    /// @dev usdcIn = ceil(shares * navPerToken / (1e18 * usdcScale)) (amount in, rounded up, against
    /// the minter). Same blocks as `mint`.
    /// @param maxUsdcIn {USDC} the most the caller agrees to pay.
    /// @return usdcIn {USDC} pulled.
    function mintShares(uint256 shares, uint256 maxUsdcIn) external returns (uint256 usdcIn);

    /// @notice Mints USSI for `indexIn` {1e18 MAG7.ssi shares}, valued at `navPerShare()` less the
    /// `indexHaircutBps` haircut. The shares minted (with any still locked) may leave the account
    /// only through `requestRedeem` for `indexLockPeriod`: no transfer and no instant `redeem`.
    /// @dev shares = floor(indexIn * navPerShare * (1e4 - indexHaircutBps) / (navPerToken * 1e4)) (one
    /// rounding, against the minter); the event's valueUsd is the value credited,
    /// floor(indexIn * navPerShare * (1e4 - indexHaircutBps) / (1e18 * 1e4)). Same blocks as `mint`.
    /// Emits `Minted` and `IndexSharesLocked`.
    function mintWithIndex(uint256 indexIn, uint256 minSharesOut) external returns (uint256 shares);

    // == Redemption ==

    /// @notice Burns `shares` and pays floor(shares * navPerToken / 1e18) {USD} in USDC, rounded down,
    /// from the liquid buffer. Works while paused; reverts `InsufficientBuffer` when the buffer
    /// cannot pay (queue with `requestRedeem` instead), `NavStale` when the NAV is stale, and
    /// `IndexSharesLockedUntil` when it would take locked index-minted shares (queue those).
    function redeem(uint256 shares, uint256 minAssetsOut) external returns (uint256 assets);

    /// @notice Escrows `shares` in the vault and queues a redemption, priced at fulfilment. Works while
    /// paused. Takes the caller's locked index-minted shares first (releasing them from the lock).
    /// @return requestId The request's position in the FIFO queue (0-based, increasing).
    function requestRedeem(uint256 shares) external returns (uint256 requestId);

    /// @notice STRATEGY_ROLE: fulfils the next `count` queued requests, in FIFO order, at the current
    /// navPerToken, pulling the USDC owed from the caller. Each request's assets are rounded down.
    /// Works while paused; needs a fresh NAV.
    /// @param maxAssetsIn {USDC} the most the caller agrees to deposit.
    /// @return assetsIn {USDC} deposited and reserved for the owners.
    function fulfil(uint256 count, uint256 maxAssetsIn) external returns (uint256 assetsIn);

    /// @notice Pays a fulfilled request to its owner, exactly once. Works while paused.
    function claim(uint256 requestId) external returns (uint256 assets);

    // == NAV ==

    /// @notice Verifies a quorum-signed report (signatures in ascending signer order). Anyone may relay.
    /// @dev Reverts on a bad quorum, a stale, future-dated or out-of-order report. A report with
    /// netDeltaBps above the limit is then recorded (its round and timestamp are consumed) but not
    /// accepted as NAV, and pauses minting until a compliant report is accepted; returns false.
    /// Otherwise reverts when a declared book asset is no longer allowed, navPerToken is zero or
    /// moved by more than the bound, or nav < spotValue + perpPnl + fundingAccrued; else accepts it.
    /// @return accepted Whether the report became the NAV.
    function submitNavReport(NavReport calldata report, bytes[] calldata signatures) external returns (bool accepted);

    // == Strategy ==

    /// @notice STRATEGY_ROLE: declares the assets (spot and perp underlyings) the book holds; every
    /// one must be allowed and appear once. While a declared asset is not allowed, reports and
    /// withdrawals are rejected.
    function declareBook(address[] calldata assets) external;

    /// @notice STRATEGY_ROLE: sends `amount` {USDC} to a whitelisted `venue`, leaving at least the
    /// buffer target (plus USDC reserved for claims) in the vault. Blocked when paused or the NAV is stale.
    function withdrawToVenue(address venue, uint256 amount) external;

    /// @notice STRATEGY_ROLE: sends `amount` {1e18 MAG7.ssi} received by `mintWithIndex` to a
    /// whitelisted `venue`, to hedge or sell it. Blocked when paused or a declared book asset is not allowed.
    function withdrawIndexToVenue(address venue, uint256 amount) external;

    // == Risk ==

    /// @notice RISK_ROLE: replaces the limits.
    function setLimits(Limits calldata limits) external;

    /// @notice RISK_ROLE: adds or removes an asset on the allowed large-cap list.
    function setAllowedAsset(address asset, bool allowed) external;

    /// @notice RISK_ROLE: stops minting and withdrawals to venues (never redemptions, fulfilments or claims).
    function pause() external;

    /// @notice RISK_ROLE: lifts `pause`.
    function unpause() external;

    // == Admin ==

    /// @notice DEFAULT_ADMIN_ROLE (the timelock): adds or removes a withdrawal destination.
    function setVenue(address venue, bool allowed) external;

    // == Views ==

    /// @notice The USDC token redemptions pay in.
    function usdc() external view returns (address);

    /// @notice The MAG7.ssi share token accepted by `mintWithIndex`.
    function indexToken() external view returns (address);

    /// @notice Where MAG7.ssi shares are valued (usually the index vault itself).
    function indexValuation() external view returns (address);

    /// @notice The last accepted report (navPerToken 1e18 and timestamp 0 before the first).
    function lastAcceptedReport() external view returns (NavReport memory);

    /// @notice The last verified round and timestamp (accepted or delta-breaching).
    function lastVerified() external view returns (uint64 round, uint64 timestamp);

    /// @notice The round whose delta breach pauses minting, or 0 when minting is not delta-paused.
    function deltaBreachRound() external view returns (uint64);

    /// @notice Whether the accepted NAV is within `maxNavAge`.
    function isNavFresh() external view returns (bool);

    /// @notice The current limits.
    function limits() external view returns (Limits memory);

    /// @notice {USDC} in the vault that is not reserved for fulfilled, unclaimed requests.
    function liquidAssets() external view returns (uint256);

    /// @notice {USDC} reserved for fulfilled, unclaimed requests.
    function reservedAssets() external view returns (uint256);

    /// @notice {USDC} the strategy must leave: ceil(totalSupply * navPerToken / 1e18 * bufferTargetBps / 1e4).
    function bufferTarget() external view returns (uint256);

    /// @notice A queued request by id.
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory);

    /// @notice The queue: the next id to fulfil, and the number of requests ever made (ids 0..requestCount-1).
    function queue() external view returns (uint256 nextToFulfil, uint256 requestCount);

    /// @notice Whether `asset` is on the allowed large-cap list.
    function isAllowedAsset(address asset) external view returns (bool);

    /// @notice The declared book.
    function book() external view returns (address[] memory);

    /// @notice Whether `venue` is a whitelisted withdrawal destination.
    function isVenue(address venue) external view returns (bool);

    /// @notice The index-minted shares {1e18 USSI} of `account` still locked and when the lock ends
    /// {unix s}; (0, 0) when nothing is locked.
    function indexLock(address account) external view returns (uint256 shares, uint64 unlockAt);

    /// @notice Shares {1e18 USSI} `mint(usdcIn, 0)` would give now (ignores pause and staleness).
    function previewMint(uint256 usdcIn) external view returns (uint256 shares);

    /// @notice USDC {USDC} `mintShares(shares, max)` would pull now, rounded up (ignores pause and staleness).
    function previewMintShares(uint256 shares) external view returns (uint256 usdcIn);

    /// @notice Shares {1e18 USSI} `mintWithIndex(indexIn, 0)` would give now, haircut included (ignores
    /// pause and staleness).
    function previewMintWithIndex(uint256 indexIn) external view returns (uint256 shares);

    /// @notice USDC {USDC} `redeem(shares, 0)` would pay now, rounded down (ignores buffer and staleness).
    function previewRedeem(uint256 shares) external view returns (uint256 assets);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IUssiVault
/// @notice USSI: an ERC-20 (18 decimals, EIP-2612 permit) whose value tracks a delta-neutral hedged
/// MAG7 book (spot leg + short perps earning funding), per METHODOLOGY section 6.
///
/// Units: "USD" amounts are {1e18 USD}; USDC amounts are {USDC base units} (USDC valued at 1 USD);
/// USSI and index-share amounts are {1e18 shares}; navPerToken is {1e18 USD} per 1e18 USSI.
///
/// Settlement at the next NAV (METHODOLOGY 6, "Settlement price"; ERC-7540 in spirit): deposits
/// (USDC or MAG7.ssi) and redemptions are requests. A request made in NAV epoch `e` (after the
/// e-th accepted report, before the next) settles when the next report is accepted, at that
/// report's navPerToken, shared by every request of the epoch and rounded against the requester;
/// the requester claims afterwards. Settlement is O(1): per-epoch totals, never a walk over requests.
/// Nobody knows the settlement price when they request, so knowing a report before it lands (or
/// relaying it) gains nothing. The one instant path, `redeem` from the liquid buffer, pays the last
/// NAV less the largest move one report may make (`maxNavChangeBps`) and is capped per epoch.
///
/// Roles:
/// - STRATEGY_ROLE declares the book and withdraws USDC above the buffer target and MAG7.ssi to a
///   whitelisted venue. It cannot change any limit.
/// - RISK_ROLE sets limits (each within a floor and a ceiling that keep exits open), manages the
///   allowed large-cap asset list (which gates only new allocation: `declareBook`,
///   `withdrawToVenue`), pauses and unpauses (deposit requests and `withdrawToVenue` only). It has no
///   function that moves funds, and none that can stop a redemption request, a report's settlement,
///   a fulfilment or a claim.
/// - DEFAULT_ADMIN_ROLE must be a TimelockController with at least `MIN_ADMIN_DELAY`: every role
///   grant, signer-set change and venue whitelist change waits out that delay.
/// - NAV reports and fulfilment need no role: a quorum of the signer set authorises reports, anyone
///   may relay them; anyone may fund settled redemptions.
///
/// Invariants (tested): USDC held >= USDC reserved for funded claims + USDC of pending deposits;
/// shares are minted only at settlement and burned only at settlement or instant redemption; a
/// request is claimed at most once; redemption epochs are funded in order (FIFO); a deposit and
/// redemption made around a report return no more USDC than went in.
interface IUssiVault {
    // == Types ==

    /// @notice A NAV report, signed as EIP-712 `NavReport` by the signer set under the NAV-report
    /// domain (`navReportDomain()`, not the permit domain). All values {1e18 USD} except
    /// `netDeltaBps` {bps of NAV} and `timestamp` {unix seconds, the valuation time}.
    /// NAV = spotValue + perpPnl + fundingAccrued + cash, with cash >= 0 (METHODOLOGY 6). NAV is the
    /// holders' value: USDC and MAG7.ssi of pending deposit requests, USDC reserved for claims and
    /// USDC owed to settled, unfunded redemptions are not part of it; navPerToken = NAV / totalSupply.
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

    /// @notice Risk limits, set by RISK_ROLE, each within the bounds below.
    /// @param maxNavAge {s} a NAV older than this blocks instant redemption and `withdrawToVenue`; a
    /// report older than this at submission is rejected. In [`MIN_NAV_AGE` (1 hour), 30 days].
    /// @param maxNavChangeBps {bps} largest move of navPerToken per report vs the last accepted one,
    /// and the discount of instant redemptions. In [`MIN_NAV_CHANGE_BPS` (10), `MAX_NAV_CHANGE_BPS` (500)].
    /// @param maxNetDeltaBps {bps of NAV} largest |net delta| a report may carry without pausing
    /// deposit requests. At most 10000.
    /// @param bufferTargetBps {bps of NAV} USDC the strategy must leave in the vault. At most 10000.
    /// @param indexHaircutBps {bps} taken off the feed-based value of MAG7.ssi at settlement, to
    /// cover the Chainlink feeds' lag behind the market at the moment the report is relayed. At most
    /// `MAX_INDEX_HAIRCUT_BPS` (1000). A change applies from the next epoch that has no MAG7.ssi
    /// deposit yet: each epoch keeps the haircut of its first MAG7.ssi deposit (`Epoch.indexHaircutBps`).
    /// @param instantCapBps {bps of NAV} the most instant redemptions may pay per epoch. At most 10000 (0: off).
    /// @param minRequestUsd {1e18 USD} the smallest request (a redemption of the caller's whole
    /// balance is always allowed). At most `MAX_MIN_REQUEST_USD` (1,000 USD).
    struct Limits {
        uint64 maxNavAge;
        uint32 maxNavChangeBps;
        uint32 maxNetDeltaBps;
        uint32 bufferTargetBps;
        uint32 indexHaircutBps;
        uint32 instantCapBps;
        uint128 minRequestUsd;
    }

    /// @notice What a request deposits or redeems.
    enum RequestKind {
        DepositUsdc,
        DepositIndex,
        Redeem
    }

    /// @notice A deposit or redemption request.
    /// @param owner Who requested, and the only account that may claim.
    /// @param epoch The NAV epoch it was made in; it settles at the report that ends that epoch.
    /// @param kind DepositUsdc {USDC}, DepositIndex {1e18 MAG7.ssi} or Redeem {1e18 USSI}.
    /// @param claimed Whether it was claimed.
    /// @param amount What was deposited or escrowed, in the unit of `kind`.
    struct Request {
        address owner;
        uint64 epoch;
        RequestKind kind;
        bool claimed;
        uint256 amount;
    }

    /// @notice One NAV epoch's totals and, once settled, its price.
    /// @param depositUsdc {USDC} requested for deposit. @param depositIndex {1e18 MAG7.ssi} requested for deposit.
    /// @param redeemShares {1e18 USSI} escrowed for redemption.
    /// @param owedEnd {USDC} the cumulative USDC owed to redemptions up to and including this
    /// epoch: its redemptions are claimable once `fundedAssets() >= owedEnd`.
    /// @param navPerToken The settlement price; 0 while the epoch is open.
    /// @param indexNetPerShare {1e18 USD * bps} per 1e18 MAG7.ssi at settlement, haircut included
    /// (navPerShare * (1e4 - indexHaircutBps)); 0 when MAG7.ssi could not be valued, in which case
    /// the epoch's MAG7.ssi deposits are returned in kind at claim.
    /// @param indexHaircutBps {bps} the haircut of this epoch's MAG7.ssi deposits: `indexHaircutBps`
    /// as it stood at the epoch's first MAG7.ssi deposit request, so a later `setLimits` cannot move
    /// value from a pending depositor to holders (0 until that request).
    struct Epoch {
        uint128 depositUsdc;
        uint128 depositIndex;
        uint128 redeemShares;
        uint128 owedEnd;
        uint256 navPerToken;
        uint256 indexNetPerShare;
        uint32 indexHaircutBps;
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
    /// @notice Deposit requests are paused because report `round` breached the net delta limit and
    /// no compliant report has been accepted since.
    error DeltaLimitActive(uint64 round);
    /// @notice An amount, or the amount it rounds to, is zero.
    error ZeroAmount();
    /// @notice A request worth `valueUsd` {1e18 USD} is below `minRequestUsd` {1e18 USD}.
    error RequestTooSmall(uint256 valueUsd, uint256 minRequestUsd);
    /// @notice Fewer USDC out than the caller's minimum.
    error AssetsBelowMinimum(uint256 assets, uint256 minAssets);
    /// @notice The liquid buffer {USDC} cannot pay `needed` {USDC}: use `requestRedeem`.
    error InsufficientBuffer(uint256 needed, uint256 available);
    /// @notice Instant redemptions this epoch would pay `needed` {USDC}, above the `remaining` {USDC}
    /// of the per-epoch cap: use `requestRedeem`.
    error InstantCapReached(uint256 needed, uint256 remaining);
    /// @notice The index valuation returned zero when a deposit request was sized.
    error ZeroIndexValue();

    /// @notice The report's valuation time is older than `maxNavAge` at submission.
    error StaleReport(uint64 timestamp, uint256 nowTimestamp, uint256 maxNavAge);
    /// @notice The report's valuation time is beyond now + `MAX_FUTURE_SKEW`.
    error FutureReport(uint64 timestamp, uint256 nowTimestamp);
    /// @notice The round is not `expected`, the last accepted round + 1 (a report relayed twice
    /// lands here; so does one that skips rounds, which could otherwise exhaust the round space).
    error RoundNotNext(uint64 round, uint256 expected);
    /// @notice The last accepted report (`round`) is an intermediate step of a NAV move larger than
    /// `maxNavChangeBps`: instant redemptions wait for the final report (`requestRedeem` is open).
    error NavMidStep(uint64 round);
    /// @notice The timestamp is not after the last accepted report's timestamp.
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
    /// @notice A withdrawal of `amount` {USDC} above the USDC in excess of the buffer target and
    /// of what settled redemptions are owed, `available` {USDC}.
    error WithdrawalAboveBuffer(uint256 amount, uint256 available);
    /// @notice A withdrawal of `amount` {1e18 MAG7.ssi} above the `available` {1e18 MAG7.ssi}
    /// (held less pending deposits and refunds owed).
    error IndexWithdrawalAboveHeld(uint256 amount, uint256 available);

    /// @notice Every settled redemption is already funded.
    error NothingToFulfil();
    /// @notice No request with this id.
    error UnknownRequest(uint256 requestId);
    /// @notice Only the request's owner may claim it.
    error NotRequestOwner(uint256 requestId, address caller, address owner);
    /// @notice The request's epoch has not been settled by a report yet.
    error RequestNotSettled(uint256 requestId, uint64 epoch);
    /// @notice The request is priced but its epoch's USDC is not funded yet: `shortfall` {USDC}
    /// more must come in through `fulfil` first.
    error RequestNotFunded(uint256 requestId, uint256 shortfall);
    /// @notice The request was already claimed.
    error AlreadyClaimed(uint256 requestId);

    // == Events ==

    /// @notice Request `requestId` of `kind` for `amount` (unit of `kind`) made in `epoch`; it
    /// settles at the navPerToken of the report that ends `epoch`.
    event Requested(uint256 indexed requestId, address indexed owner, uint64 indexed epoch, RequestKind kind, uint256 amount);
    /// @notice Report `round` ended `epoch` and settled it at `navPerToken`: `sharesMinted` {1e18 USSI}
    /// for its deposits (held for their claims), `sharesBurned` {1e18 USSI} escrowed by its
    /// redemptions, which are owed `assetsOwed` {USDC}; MAG7.ssi valued at `indexNetPerShare`
    /// ({1e18 USD * bps} per 1e18 shares; 0: not valued, returned in kind).
    event EpochSettled(
        uint64 indexed epoch,
        uint64 indexed round,
        uint256 navPerToken,
        uint256 indexNetPerShare,
        uint256 sharesMinted,
        uint256 sharesBurned,
        uint256 assetsOwed
    );
    /// @notice Request `requestId` of `epoch` paid out at `navPerToken`: `amount` USSI (deposits),
    /// USDC (redemptions) or MAG7.ssi (a deposit returned because it could not be valued).
    event Claimed(uint256 indexed requestId, address indexed owner, uint64 indexed epoch, uint256 navPerToken, uint256 amount);
    /// @notice `shares` burned and `assets` {USDC} paid from the buffer at `navPerToken` less
    /// `maxNavChangeBps`, in `epoch`.
    event Redeemed(address indexed account, uint64 indexed epoch, uint256 shares, uint256 assets, uint256 navPerToken);
    /// @notice Settled redemptions received `fromBuffer` {USDC} of the vault's liquid USDC and
    /// `assetsIn` {USDC} from `caller`; `funded` {USDC} is the cumulative total funded, `owed` the
    /// cumulative total owed.
    event Fulfilled(address indexed caller, uint256 fromBuffer, uint256 assetsIn, uint256 funded, uint256 owed);

    /// @notice Report `round` was verified and accepted as the NAV; `report` holds all its fields.
    event NavReported(uint64 indexed round, NavReport report);
    /// @notice Report `round` was verified and accepted as an intermediate step (`submitNavStep`): it
    /// is the NAV the next report is bounded against, and settles nothing.
    event NavStepReported(uint64 indexed round, NavReport report);
    /// @notice An accepted report carried |net delta| above the limit: deposit requests are paused.
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

    // == Requests ==

    /// @notice Requests a deposit of `usdcIn` {USDC}, pulled now; it settles at the navPerToken of
    /// the next accepted report: shares = floor(usdcIn * 1e18 * usdcScale / navPerToken), claimed
    /// with `claim`. Reverts when paused, during a delta-limit pause, or below `minRequestUsd`.
    /// @return requestId The request's id (0-based, increasing).
    function requestDeposit(uint256 usdcIn) external returns (uint256 requestId);

    /// @notice Requests a deposit of `indexIn` {1e18 MAG7.ssi}, pulled now; it settles at the next
    /// accepted report, MAG7.ssi valued then at `navPerShare()` less the epoch's haircut h (the
    /// `indexHaircutBps` in force at the epoch's first MAG7.ssi deposit, `epochInfo(e).indexHaircutBps`,
    /// fixed from then on, so the risk role cannot change it under this request): shares =
    /// floor(indexIn * navPerShare * (1e4 - h) / (navPerToken * 1e4)). If MAG7.ssi cannot be valued at
    /// settlement, `claim` returns the MAG7.ssi. Same blocks as `requestDeposit`; the minimum is
    /// checked at today's `navPerShare()`.
    function requestDepositIndex(uint256 indexIn) external returns (uint256 requestId);

    /// @notice Escrows `shares` in the vault and requests their redemption at the next accepted
    /// report: assets = floor(shares * navPerToken / (1e18 * usdcScale)), claimable once funded.
    /// Works while paused. At least `minRequestUsd` at the last NAV, unless it is the whole balance.
    function requestRedeem(uint256 shares) external returns (uint256 requestId);

    /// @notice Pays a settled request to its owner, exactly once: USSI for a deposit, USDC for a
    /// funded redemption (MAG7.ssi back for a deposit that could not be valued). Works while
    /// paused and with a stale NAV (the price was fixed at settlement).
    /// @return amount Paid, in the unit of the payout.
    function claim(uint256 requestId) external returns (uint256 amount);

    /// @notice Funds settled redemptions in epoch order: first from the vault's liquid USDC, then
    /// pulls up to `maxAssetsIn` {USDC} from the caller for the rest. Anyone may call (the strategy
    /// normally does); works while paused and with a stale NAV.
    /// @return assetsIn {USDC} pulled from the caller.
    function fulfil(uint256 maxAssetsIn) external returns (uint256 assetsIn);

    /// @notice Instant redemption from the liquid buffer: burns `shares` and pays
    /// floor(shares * navPerToken * (1e4 - maxNavChangeBps) / (1e18 * usdcScale * 1e4)) {USDC}, so
    /// that no next report can make it pay more than waiting would. Needs a fresh NAV; reverts
    /// `InsufficientBuffer` or `InstantCapReached` (use `requestRedeem`), and `NavMidStep` while the
    /// last accepted report is an intermediate step. Works while paused.
    function redeem(uint256 shares, uint256 minAssetsOut) external returns (uint256 assets);

    // == NAV ==

    /// @notice Verifies a quorum-signed report (signatures in ascending signer order, NAV-report
    /// domain), accepts it as the NAV and settles the open epoch at its navPerToken. Anyone may relay.
    /// A NAV move larger than `maxNavChangeBps` is reported as `submitNavStep`s, then this final report.
    /// @dev Reverts on a bad quorum, a stale, future-dated or out-of-order report, navPerToken zero
    /// or moved by more than `maxNavChangeBps`, or nav < spotValue + perpPnl + fundingAccrued. Does
    /// not depend on the allowed list or the pause. A report with netDeltaBps above the limit is
    /// accepted too, and pauses deposit requests until a compliant report is accepted.
    /// @return settledEpoch The epoch the report settled.
    function submitNavReport(NavReport calldata report, bytes[] calldata signatures) external returns (uint64 settledEpoch);

    /// @notice Verifies and accepts an intermediate step of a NAV move larger than `maxNavChangeBps`
    /// (the signers know the NAV is further away), signed as EIP-712 `NavStep` (the `NavReport`
    /// fields under another type name, so a step's signatures never settle an epoch) under the
    /// NAV-report domain. Same checks as `submitNavReport`; the step becomes the NAV the next report
    /// is bounded against, but no epoch ends (requests settle at the final report, at the true NAV,
    /// and the instant cap does not reset) and `redeem` reverts `NavMidStep` until the final report,
    /// a `submitNavReport`, is accepted. Does not touch the delta-limit pause. Anyone may relay.
    function submitNavStep(NavReport calldata report, bytes[] calldata signatures) external;

    // == Strategy ==

    /// @notice STRATEGY_ROLE: declares the assets (spot and perp underlyings) the book holds; every
    /// one must be allowed and appear once. While a declared asset is not allowed, `withdrawToVenue`
    /// (new allocation) is refused; reports, redemptions and claims are not affected.
    function declareBook(address[] calldata assets) external;

    /// @notice STRATEGY_ROLE: sends `amount` {USDC} to a whitelisted `venue`, leaving the buffer
    /// target, USDC owed to settled redemptions and pending deposits in the vault. Blocked when
    /// paused, the NAV is stale or a declared book asset is not allowed.
    function withdrawToVenue(address venue, uint256 amount) external;

    /// @notice STRATEGY_ROLE: sends `amount` {1e18 MAG7.ssi} of settled deposits to a whitelisted
    /// `venue` to hedge or sell it (pending deposits and refunds owed stay). Not blocked by pause or
    /// the allowed list: selling it is how redemptions get funded.
    function withdrawIndexToVenue(address venue, uint256 amount) external;

    // == Risk ==

    /// @notice RISK_ROLE: replaces the limits (each within its bounds).
    function setLimits(Limits calldata limits) external;

    /// @notice RISK_ROLE: adds or removes an asset on the allowed large-cap list.
    function setAllowedAsset(address asset, bool allowed) external;

    /// @notice RISK_ROLE: stops deposit requests and `withdrawToVenue` (never redemptions,
    /// reports, fulfilment or claims).
    function pause() external;

    /// @notice RISK_ROLE: lifts `pause`.
    function unpause() external;

    // == Admin ==

    /// @notice DEFAULT_ADMIN_ROLE (the timelock): adds or removes a withdrawal destination.
    function setVenue(address venue, bool allowed) external;

    // == Views ==

    /// @notice The EIP-712 domain NAV reports are signed under (EIP-5267 layout): name "USSI Vault",
    /// version "1", this chain, this contract. `eip712Domain()` is the permit domain (the token's name).
    function navReportDomain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        );

    /// @notice The USDC token redemptions pay in.
    function usdc() external view returns (address);

    /// @notice The MAG7.ssi share token accepted by `requestDepositIndex`.
    function indexToken() external view returns (address);

    /// @notice Where MAG7.ssi shares are valued (usually the index vault itself).
    function indexValuation() external view returns (address);

    /// @notice The last accepted report or intermediate step (navPerToken 1e18 and timestamp 0 before the first).
    function lastAcceptedReport() external view returns (NavReport memory);

    /// @notice The round whose delta breach pauses deposit requests, or 0.
    function deltaBreachRound() external view returns (uint64);

    /// @notice Whether the accepted NAV is within `maxNavAge`.
    function isNavFresh() external view returns (bool);

    /// @notice The current limits.
    function limits() external view returns (Limits memory);

    /// @notice The open epoch: requests made now settle at the next accepted report.
    function currentEpoch() external view returns (uint64);

    /// @notice An epoch's totals and settlement price; `epochInfo(currentEpoch())` holds the pending
    /// deposits (USDC and MAG7.ssi in the vault that are not yet holders' assets).
    function epochInfo(uint64 epoch) external view returns (Epoch memory);

    /// @notice A request by id.
    function request(uint256 requestId) external view returns (Request memory);

    /// @notice The number of requests ever made (ids 0..requestCount-1).
    function requestCount() external view returns (uint256);

    /// @notice {USDC} in the vault that belongs to holders: held less reserved for claims, less
    /// pending deposits.
    function liquidAssets() external view returns (uint256);

    /// @notice {USDC} reserved for funded, unclaimed redemptions.
    function reservedAssets() external view returns (uint256);

    /// @notice Cumulative {USDC} owed to settled redemptions and cumulative {USDC} funded (owed - funded is outstanding).
    function redemptionFunding() external view returns (uint256 owed, uint256 funded);

    /// @notice {USDC} the strategy must leave: ceil(totalSupply * navPerToken / 1e18 * bufferTargetBps / 1e4).
    function bufferTarget() external view returns (uint256);

    /// @notice {USDC} instant redemptions may still pay in the open epoch (cap and buffer applied);
    /// 0 while the last accepted report is an intermediate step (`submitNavStep`).
    function instantCapacity() external view returns (uint256);

    /// @notice Whether `asset` is on the allowed large-cap list.
    function isAllowedAsset(address asset) external view returns (bool);

    /// @notice The declared book.
    function book() external view returns (address[] memory);

    /// @notice Whether `venue` is a whitelisted withdrawal destination.
    function isVenue(address venue) external view returns (bool);

    /// @notice USDC {USDC} `redeem(shares, 0)` would pay now, rounded down (ignores buffer, cap and staleness).
    function previewRedeem(uint256 shares) external view returns (uint256 assets);
}

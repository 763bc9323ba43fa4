/// The knobs of the contract's rules. Every decision the core makes depends only on these, the input and the
/// stored state. The defaults fail closed (contract v1.2, "Nothing fails open") except where a key set is
/// needed: without one, the core cannot check signatures, and `livegate run` refuses to start unless the
/// operator allows unsigned input explicitly.
public struct Rules: Sendable {
    /// Platform default ceiling. Default: `CeilingLimits.betaDefaults` ($100 / $500 / $2,000).
    public var defaults: CeilingLimits
    /// Largest allowed distance between an input's `occurred_at` and its Kafka record timestamp (attempts,
    /// and from v1.2 decisions and resolutions). Default: 5 minutes.
    public var skewToleranceMillis: Int64
    /// Largest record value accepted; larger ones are dead-lettered as `record_too_large`. Default: 1 MiB.
    public var maxValueBytes: Int
    /// Deepest JSON nesting accepted. Default: 32.
    public var maxDepth: Int
    /// When set, only decisions signed by one of these keys are decisions. Default: none (trusted unsigned).
    public var decisionKeys: DecisionKeySet?
    /// When set, a `failed` resolution gives headroom back only when signed by one of these keys (settlement's,
    /// not the money path's). Default: none (trusted unsigned).
    public var resolutionKeys: DecisionKeySet?
    /// Longest time from an attempt's `occurred_at` to the `occurred_at` of a `failed` resolution that may
    /// still release it (`RELEASE_WINDOW_CLOSED` after). Default: 7 days.
    public var releaseWindowMillis: Int64
    /// Whether an input record stamped by its producer (`CreateTime`, or no timestamp) is decided by that
    /// stamp. Default: false: such a record is dead-lettered as `producer_timestamp`, since a producer could
    /// backdate it into a window with headroom.
    public var allowProducerTime: Bool

    public init(
        defaults: CeilingLimits = .betaDefaults, skewToleranceMillis: Int64 = 300_000,
        maxValueBytes: Int = 1 << 20, maxDepth: Int = JSONParser.defaultDepthLimit,
        decisionKeys: DecisionKeySet? = nil, resolutionKeys: DecisionKeySet? = nil,
        releaseWindowMillis: Int64 = Rules.defaultReleaseWindowDays * 86_400_000,
        allowProducerTime: Bool = false
    ) {
        self.defaults = defaults
        self.skewToleranceMillis = skewToleranceMillis
        self.maxValueBytes = maxValueBytes
        self.maxDepth = maxDepth
        self.decisionKeys = decisionKeys
        self.resolutionKeys = resolutionKeys
        self.releaseWindowMillis = releaseWindowMillis
        self.allowProducerTime = allowProducerTime
    }

    /// `--release-window-days`' default.
    public static let defaultReleaseWindowDays: Int64 = 7
    /// The longest release window accepted (`--release-window-days` 1 to 31).
    public static let releaseWindowDayRange: ClosedRange<Int64> = 1...31

    public static let standard = Rules()
}

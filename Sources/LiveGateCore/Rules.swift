/// The knobs of the contract's rules. Every decision the core makes depends only on these, the input and the
/// stored state.
public struct Rules: Sendable {
    /// Platform default ceiling. Default: `CeilingLimits.betaDefaults` ($100 / $500 / $2,000).
    public var defaults: CeilingLimits
    /// Largest allowed distance between an attempt's `occurred_at` and its Kafka record timestamp.
    /// Default: 5 minutes.
    public var skewToleranceMillis: Int64
    /// Largest record value accepted; larger ones are dead-lettered as `record_too_large`. Default: 1 MiB.
    public var maxValueBytes: Int
    /// Deepest JSON nesting accepted. Default: 32.
    public var maxDepth: Int
    /// When set, only decisions signed by one of these keys are decisions. Default: none (trusted unsigned).
    public var decisionKeys: DecisionKeySet?

    public init(defaults: CeilingLimits = .betaDefaults, skewToleranceMillis: Int64 = 300_000,
                maxValueBytes: Int = 1 << 20, maxDepth: Int = JSONParser.defaultDepthLimit,
                decisionKeys: DecisionKeySet? = nil) {
        self.defaults = defaults
        self.skewToleranceMillis = skewToleranceMillis
        self.maxValueBytes = maxValueBytes
        self.maxDepth = maxDepth
        self.decisionKeys = decisionKeys
    }

    public static let standard = Rules()
}

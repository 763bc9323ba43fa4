import ArgumentParser
import LiveGateCore
import Logging

/// What a command that applies inputs (`run`, `replay`) trusts, from which the core's `Rules` are built. It
/// fails closed (contract v1.2, "Nothing fails open"): without a key set for decisions and one for
/// resolutions the command refuses to start, unless the operator allows unsigned input by name; each such
/// allowance is logged at warning level at every start (`warnings`).
struct TrustOptions: ParsableArguments {
    /// Public keys of the platform admins whose signed decisions count. No default: give it, or allow
    /// unsigned decisions.
    @Option(
        name: .customLong("decision-keys"),
        help: ArgumentHelp(
            "Key set file of the platform admins who sign decisions (env: LIVEGATE_DECISION_KEYS; no default: "
                + "required unless --allow-unsigned-decisions).", valueName: "file"))
    var decisionKeys: String?

    /// Public keys of settlement, whose signature a `failed` resolution needs to give headroom back. No
    /// default: give it, or allow unsigned resolutions.
    @Option(
        name: .customLong("resolution-keys"),
        help: ArgumentHelp(
            "Key set file of settlement, which signs failed resolutions (env: LIVEGATE_RESOLUTION_KEYS; no "
                + "default: required unless --allow-unsigned-resolutions).", valueName: "file"))
    var resolutionKeys: String?

    /// Start without a decision key set: whoever can write sly.decision.v1 decides as an admin. Default off.
    @Flag(
        name: .customLong("allow-unsigned-decisions"),
        help: ArgumentHelp(
            "Start without --decision-keys: whoever can write sly.decision.v1 then decides as a platform admin "
                + "(env: LIVEGATE_ALLOW_UNSIGNED_DECISIONS=true; default off)."))
    var allowUnsignedDecisions = false

    /// Start without a resolution key set: whoever can write sly.transaction-attempt.v1 can give headroom back.
    /// Default off.
    @Flag(
        name: .customLong("allow-unsigned-resolutions"),
        help: ArgumentHelp(
            "Start without --resolution-keys: whoever can write sly.transaction-attempt.v1 can then give headroom "
                + "back (env: LIVEGATE_ALLOW_UNSIGNED_RESOLUTIONS=true; default off)."))
    var allowUnsignedResolutions = false

    /// Decide inputs by their producer's timestamp when the broker did not stamp them. Default off: such a
    /// record is dead-lettered as `producer_timestamp`.
    @Flag(
        name: .customLong("allow-producer-time"),
        help: ArgumentHelp(
            "Decide input records the broker did not stamp (not LogAppendTime) by their producer's timestamp, "
                + "instead of dead-lettering them as producer_timestamp; only for brokers that ignore the topics' "
                + "setting, like an embedded test broker (env: LIVEGATE_ALLOW_PRODUCER_TIME=true; default off)."))
    var allowProducerTime = false

    /// Whole days of 24 h after an attempt's `occurred_at` during which a `failed` resolution may still release
    /// it. Default 7, 1 to 31.
    @Option(
        name: .customLong("release-window-days"),
        help: ArgumentHelp(
            "Days of 24 h after an attempt's occurred_at in which a failed resolution may still release it; later "
                + "ones are RELEASE_WINDOW_CLOSED, 1–31 (env: LIVEGATE_RELEASE_WINDOW_DAYS; default \(Rules.defaultReleaseWindowDays)).",
            valueName: "days"))
    var releaseWindowDays: Int64?

    func validate() throws {
        if let releaseWindowDays, !Rules.releaseWindowDayRange.contains(releaseWindowDays) {
            throw ValidationError(
                "--release-window-days must be \(Rules.releaseWindowDayRange.lowerBound) to "
                    + "\(Rules.releaseWindowDayRange.upperBound).")
        }
    }

    /// `base` with the key sets, the release window and the producer-time setting given; refused when a key
    /// set is missing without its allowance, or cannot be read.
    func rules(_ base: Rules = .standard) throws -> Rules {
        var rules = base
        rules.decisionKeys = try keySet(
            decisionKeys, Env.secret("LIVEGATE_DECISION_KEYS"), what: "decision key set",
            option: "--decision-keys FILE", unless: .unsignedDecisions)
        rules.resolutionKeys = try keySet(
            resolutionKeys, Env.secret("LIVEGATE_RESOLUTION_KEYS"), what: "resolution key set",
            option: "--resolution-keys FILE", unless: .unsignedResolutions)
        if let decisions = rules.decisionKeys, let resolutions = rules.resolutionKeys {
            // An admin's key that could also release headroom would undo the split between the two roles.
            guard !decisions.sharesKey(with: resolutions) else {
                throw CommandFailure.usage(
                    "The decision and resolution key sets share a public key: each role needs keys of its own.")
            }
        }
        rules.allowProducerTime = try source(of: .producerTime) != nil
        rules.releaseWindowMillis =
            try
            (releaseWindowDays
            ?? Env.integer("LIVEGATE_RELEASE_WINDOW_DAYS", in: Rules.releaseWindowDayRange)
            ?? Rules.defaultReleaseWindowDays) * 86_400_000
        return rules
    }

    /// One line per allowance in force, for the log at warning level: what it opens, and where it was given.
    func warnings(for rules: Rules) throws -> [String] {
        var lines: [String] = []
        if rules.decisionKeys == nil, let given = try source(of: .unsignedDecisions) {
            lines.append("decisions are accepted without an admin's signature (\(given))")
        }
        if rules.resolutionKeys == nil, let given = try source(of: .unsignedResolutions) {
            lines.append("failed resolutions release headroom without settlement's signature (\(given))")
        }
        if rules.allowProducerTime, let given = try source(of: .producerTime) {
            lines.append("inputs the broker did not stamp are decided by their producer's clock (\(given))")
        }
        return lines
    }

    /// The rules, with each allowance in force logged at warning level: every start says what it trusts.
    func rules(_ base: Rules = .standard, logger: Logger) throws -> Rules {
        let rules = try rules(base)
        for line in try warnings(for: rules) { logger.warning("\(line)") }
        return rules
    }

    /// What each allowance is called on the command line and in the environment.
    enum Allowance {
        case unsignedDecisions, unsignedResolutions, producerTime

        var option: String {
            switch self {
            case .unsignedDecisions: "--allow-unsigned-decisions"
            case .unsignedResolutions: "--allow-unsigned-resolutions"
            case .producerTime: "--allow-producer-time"
            }
        }

        var variable: String {
            switch self {
            case .unsignedDecisions: "LIVEGATE_ALLOW_UNSIGNED_DECISIONS"
            case .unsignedResolutions: "LIVEGATE_ALLOW_UNSIGNED_RESOLUTIONS"
            case .producerTime: "LIVEGATE_ALLOW_PRODUCER_TIME"
            }
        }
    }

    /// Where `allowance` was given (its option, or its variable set to true), or nil when it was not. A variable
    /// that is neither true nor false is refused even beside the option: it is a mistake either way.
    func source(of allowance: Allowance) throws -> String? {
        let fromEnvironment = try Env.flag(allowance.variable)
        let flag =
            switch allowance {
            case .unsignedDecisions: allowUnsignedDecisions
            case .unsignedResolutions: allowUnsignedResolutions
            case .producerTime: allowProducerTime
            }
        if flag { return allowance.option }
        return fromEnvironment == true ? allowance.variable : nil
    }

    private func keySet(
        _ given: String?, _ fromEnvironment: String?, what: String, option: String,
        unless allowance: Allowance
    ) throws -> DecisionKeySet? {
        if let path = given ?? fromEnvironment { return try KeyFile.keySet(path, what: what) }
        guard try source(of: allowance) != nil else {
            throw CommandFailure.usage("No \(what): give \(option), or \(allowance.option) to run without signatures.")
        }
        return nil
    }
}

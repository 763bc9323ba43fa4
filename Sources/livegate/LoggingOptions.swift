import ArgumentParser
import Logging

/// How a command that logs (`run`, `serve`, `replay`, `dev`) writes its log lines on stderr.
struct LoggingOptions: ParsableArguments {
    /// Default info (`dev`: warning, so that its demo is not buried).
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "The lowest level logged (env: LIVEGATE_LOG_LEVEL; default info, dev: warning).",
            valueName: "level"))
    var logLevel: Logger.Level?

    /// Default text.
    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "json writes one JSON object per line (env: LIVEGATE_LOG_FORMAT; default text).", valueName: "format"))
    var logFormat: LogFormat?

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// The level in force: given, else `LIVEGATE_LOG_LEVEL`, else `fallback`. The format was read before the
    /// command line was parsed (`JSONLogHandler.requested`); a `LIVEGATE_LOG_FORMAT` that does not parse is
    /// refused here.
    func level(default fallback: Logger.Level = .info) throws -> Logger.Level {
        _ = try Env.choice("LIVEGATE_LOG_FORMAT", of: LogFormat.allCases.map(\.rawValue))
        if let logLevel { return logLevel }
        return try Env.choice("LIVEGATE_LOG_LEVEL", of: Logger.Level.allCases.map(\.rawValue))
            .flatMap(Logger.Level.init(rawValue:)) ?? fallback
    }

    /// A logger at the level in force.
    func logger(label: String, default fallback: Logger.Level = .info) throws -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = try level(default: fallback)
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A logger at `level` (a `Logger.Level` name; info when it is not one), for commands that take no logging
/// options of their own.
func makeLogger(label: String, level: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

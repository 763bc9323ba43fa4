import LiveGateHTTP

extension Serve {
    /// Every bound of `serve`: from its option, else its environment variable (refused when it does not parse),
    /// else its default, each within its range.
    struct Bounds {
        var limits = StatusServer.Limits()
        var maxWaiting = 10_000
        var maxWaitMillis = 10_000
    }

    static let maxWaitingSetting = IntegerSetting(
        option: "--max-waiting", variable: "LIVEGATE_MAX_WAITING",
        range: 1...1_000_000, fallback: 10_000)
    static let maxWaitSetting = IntegerSetting(
        option: "--max-wait-ms", variable: "LIVEGATE_MAX_WAIT_MS",
        range: 0...10_000, fallback: 10_000, unit: " ms")
    static let maxInFlightSetting = IntegerSetting(
        option: "--max-in-flight", variable: "LIVEGATE_MAX_IN_FLIGHT",
        range: 1...100_000, fallback: StatusServer.Limits().maxInFlight)
    static let databaseConnectionsSetting = IntegerSetting(
        option: "--db-connections", variable: "LIVEGATE_DB_CONNECTIONS", range: 1...64,
        fallback: StatusServer.Limits().databaseConnections)
    static let requestTimeoutSetting = IntegerSetting(
        option: "--request-timeout-ms",
        variable: "LIVEGATE_REQUEST_TIMEOUT_MS",
        range: 100...60_000, fallback: 2_000, unit: " ms")
    static let maxConnectionsSetting = IntegerSetting(
        option: "--max-connections", variable: "LIVEGATE_MAX_CONNECTIONS",
        range: 16...1_000_000,
        fallback: StatusServer.Limits().maxConnections)
    static let bodyTimeoutSetting = IntegerSetting(
        option: "--body-timeout-ms", variable: "LIVEGATE_BODY_TIMEOUT_MS",
        range: 100...600_000, fallback: 5_000, unit: " ms")
    static let bodyBytesSetting = IntegerSetting(
        option: "--max-body-bytes-in-flight",
        variable: "LIVEGATE_MAX_BODY_BYTES_IN_FLIGHT",
        range: (1 << 20)...(4 << 30),
        fallback: StatusServer.Limits().bodyBytesInFlight)

    /// The values given on the command line, each within its range (for `validate()`: exit 64 with the usage).
    func checkBounds() throws {
        try Self.maxWaitingSetting.check(maxWaiting)
        try Self.maxWaitSetting.check(maxWaitMillis)
        try Self.maxInFlightSetting.check(maxInFlight)
        try Self.databaseConnectionsSetting.check(databaseConnections)
        try Self.requestTimeoutSetting.check(requestTimeoutMillis)
        try Self.maxConnectionsSetting.check(maxConnections)
        try Self.bodyTimeoutSetting.check(bodyTimeoutMillis)
        try Self.bodyBytesSetting.check(maxBodyBytesInFlight)
    }

    /// The bounds in force, the environment's included.
    func bounds() throws -> Bounds {
        var bounds = Bounds()
        bounds.maxWaiting = try Self.maxWaitingSetting.value(maxWaiting)
        bounds.maxWaitMillis = try Self.maxWaitSetting.value(maxWaitMillis)
        bounds.limits.maxInFlight = try Self.maxInFlightSetting.value(maxInFlight)
        bounds.limits.databaseConnections = try Self.databaseConnectionsSetting.value(databaseConnections)
        bounds.limits.databaseQueue = max(16, bounds.limits.maxInFlight / 4)
        bounds.limits.requestTimeout = .milliseconds(try Self.requestTimeoutSetting.value(requestTimeoutMillis))
        bounds.limits.maxConnections = try Self.maxConnectionsSetting.value(maxConnections)
        bounds.limits.bodyTimeout = .milliseconds(try Self.bodyTimeoutSetting.value(bodyTimeoutMillis))
        bounds.limits.bodyBytesInFlight = try Self.bodyBytesSetting.value(maxBodyBytesInFlight)
        return bounds
    }
}

import LiveGatePipeline

/// What `livegate bench` runs. Defaults are the realistic load.
public struct BenchConfig: Sendable {
    /// Attempts in the main (batched) run. Default 200,000.
    public var attempts: Int
    /// Tenants the attempts are spread over. Default 1,000.
    public var tenants: Int
    /// Offered rate of the open-loop run in attempts a second; default: half the measured maximum.
    public var rate: Int?
    /// PostgreSQL server; each phase gets a fresh schema in it.
    public var databaseURL: String
    /// Path of the `livegate` executable that runs the worker in its own process.
    public var executable: String
    /// Largest batch of the batched worker. Default 500.
    public var batchMax: Int
    /// Lanes of the worker (`livegate run --lanes`); the database floor uses as many connections. Default 3.
    public var lanes: Int
    /// Attempts of the batch-of-one baseline. Default: a tenth of `attempts`, at least 1,000.
    public var batchOfOneAttempts: Int
    /// Calls of the one-call phase (`livegate serve`, `POST /v1/transaction-attempts`). Default: a tenth of
    /// `attempts`, 500 to 20,000.
    public var calls: Int
    /// Calls a second of the one-call phase. Default 1,000.
    public var callRate: Int
    /// Only the closed loop (with its tenths) and the database floor: for scale runs, where setting up a
    /// million tenants again for the open loop and batches of one would take most of an hour.
    public var closedLoopOnly: Bool

    public init(
        attempts: Int = 200_000, tenants: Int = 1_000, rate: Int? = nil, databaseURL: String,
        executable: String, batchMax: Int = WorkerConfiguration.defaultBatchRecords,
        lanes: Int = WorkerConfiguration.defaultLanes, batchOfOneAttempts: Int? = nil, closedLoopOnly: Bool = false,
        calls: Int? = nil, callRate: Int = 1_000
    ) {
        self.closedLoopOnly = closedLoopOnly
        self.attempts = attempts
        self.tenants = tenants
        self.rate = rate
        self.databaseURL = databaseURL
        self.executable = executable
        self.batchMax = batchMax
        self.lanes = lanes
        self.batchOfOneAttempts = batchOfOneAttempts ?? max(1_000, attempts / 10)
        self.calls = calls ?? min(20_000, max(500, attempts / 10))
        self.callRate = callRate
    }
}

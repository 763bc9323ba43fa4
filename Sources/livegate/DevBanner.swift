import LiveGateCore
import Redaction

/// What `livegate dev` prints once it runs: where Kafka and PostgreSQL are, what the worker trusts, and
/// commands to try, with the real addresses and key paths in them.
struct DevBanner {
    let servers: String
    /// Whether `servers` is dev's own embedded broker, which keeps producer timestamps.
    let embedded: Bool
    let databaseURL: String
    /// The throwaway keys, or nil when dev runs `--unsigned`.
    let keys: DevKeys?

    var text: String {
        let url = Redaction.redact(databaseURL)
        return """
            LiveGate is running.
              Kafka bootstrap  \(servers)\(embedded ? "  (embedded broker, 3 nodes)" : "")
              PostgreSQL       \(url)
            \(trust)
            Publish an attempt:     kcat -P -b \(servers) -X partitioner=murmur2_random -t \(Topics.transactionAttempt) -k t-1
            Watch verdicts:         kcat -C -b \(servers) -t \(Topics.transactionVerdict)
            Inspect a tenant:       livegate status t-1 --database-url '\(url)'
            """
                + (keys.map { keys in
                    """

                    Decide as the admin:    livegate decide set-ceiling t-1 --daily 300 --key \(keys.adminKeyPath) --kid \(keys.admin.kid) --brokers \(servers)
                    Release as settlement:  livegate resolve t-1 att-1 failed --key \(keys.settlementKeyPath) --kid \(keys.settlement.kid) --brokers \(servers)
                    """
                } ?? "")
    }

    private var trust: String {
        let signing =
            keys.map { keys in
                """
                Decisions and failed resolutions must be signed, with throwaway keys in \(keys.folder) (removed when dev stops):
                  decision key set     \(keys.decisionKeySetPath)  (the admin's key: \(keys.adminKeyPath))
                  resolution key set   \(keys.resolutionKeySetPath)  (settlement's key: \(keys.settlementKeyPath))
                """
            } ?? "Unsigned (--unsigned): decisions and failed resolutions are trusted as they come."
        let time =
            embedded
            ? "Producer timestamps are trusted: the embedded broker keeps them (real brokers stamp LogAppendTime)."
            : "Broker time is required: the input topics must be LogAppendTime (livegate topics apply)."
        return signing + "\n" + time
    }
}

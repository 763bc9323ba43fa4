#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit: every connection is a descriptor, so `--max-connections` is reachable only
/// under a soft limit above it. Containers often start with a soft limit of 1024 and a far higher hard one.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard limit; the limits in force afterwards (nil when they cannot be read).
    public static func raise() -> (soft: Int, hard: Int)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &raised)
            guard getrlimit(resource, &limit) == 0 else { return nil }
        }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// Descriptors `serve` needs besides its connections: PostgreSQL, Kafka, the log, the listener.
    public static let reserve = 256

    #if canImport(Glibc)
        private static let resource = Int32(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif

    private static func clamp(_ value: rlim_t) -> Int { value >= rlim_t(Int.max) ? Int.max : Int(value) }
}

import Foundation
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// What an attempt costs, averaged over a phase: PostgreSQL's write-ahead log and CPU, the bytes the phase
/// left stored in its schema, and the worker's CPU. WAL and stored bytes come from PostgreSQL itself; CPU
/// from /proc, so PostgreSQL's is known only when it runs on this host (else nil), and is the whole server's
/// (the bench runs alone on it).
public struct AttemptCost: Sendable {
    public var walBytes: Double
    public var postgresCPUMicros: Double?
    public var storedBytes: Double
    public var workerCPUMicros: Double?
    /// The phase's WAL as `start end` LSNs, for `pg_waldump --stats=record --start … --end …`: where the bytes went.
    public var walRange: String? = nil
    /// Where the stored bytes went: each table and index that grew, its bytes per attempt, largest first.
    public var storedByRelation: [(name: String, bytes: Double)] = []
}

/// A reading of the counters `AttemptCost` is the difference of.
struct ResourceSample {
    let walLSN: String
    let postgresCPUSeconds: Double?
    let workerCPUSeconds: Double?
    let storedBytes: Int64
    /// Each table's and index's own size (a table's TOAST counts as the table's).
    let relations: [String: Int64]

    /// `db` is a connection to the phase's schema (its `search_path`); `worker` the worker process, if any.
    static func take(_ db: PostgresConnection, worker: pid_t? = nil) throws -> ResourceSample {
        let row = try db.query(
            """
            SELECT pg_current_wal_lsn()::text, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm')
            """
        ).rows.first
        let relations = try db.query(
            """
            SELECT c.relname, CASE c.relkind WHEN 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm', 'i')
            """
        ).rows
        return ResourceSample(
            walLSN: row?[0] ?? "0/0", postgresCPUSeconds: ProcessCPU.postgresSeconds(),
            workerCPUSeconds: worker.flatMap(ProcessCPU.seconds), storedBytes: Int64(row?[1] ?? "") ?? 0,
            relations: Dictionary(
                relations.compactMap { row in row[0].flatMap { name in row[1].flatMap(Int64.init).map { (name, $0) } }
                },
                uniquingKeysWith: { $1 }))
    }

    /// The cost per attempt from `self` to `later`, over `attempts` attempts.
    func cost(to later: ResourceSample, attempts: Int, db: PostgresConnection) throws -> AttemptCost {
        let wal =
            try db.query("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint", [later.walLSN, walLSN])
            .rows.first?.first.flatMap { $0 }.flatMap(Double.init) ?? 0
        let n = Double(max(1, attempts))
        func micros(_ a: Double?, _ b: Double?) -> Double? { a.flatMap { a in b.map { b in (b - a) * 1e6 / n } } }
        return AttemptCost(
            walBytes: wal / n, postgresCPUMicros: micros(postgresCPUSeconds, later.postgresCPUSeconds),
            storedBytes: Double(later.storedBytes - storedBytes) / n,
            workerCPUMicros: micros(workerCPUSeconds, later.workerCPUSeconds), walRange: "\(walLSN) \(later.walLSN)",
            storedByRelation: later.relations.map { ($0.key, Double($0.value - (relations[$0.key] ?? 0)) / n) }
                .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 })
    }
}

/// CPU time of processes, from /proc/<pid>/stat (utime and stime, in clock ticks).
enum ProcessCPU {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    struct Stat {
        let pid: Int
        let parent: Int
        let command: String
        let own: Double
        let reapedChildren: Double
    }

    static func stat(_ pid: Int) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command: state, ppid, … utime is the 14th field of the line, the 12th after ")".
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int(fields[1]), let utime = Double(fields[11]),
            let stime = Double(fields[12]),
            let cutime = Double(fields[13]), let cstime = Double(fields[14])
        else { return nil }
        return Stat(
            pid: pid, parent: parent, command: String(text[text.index(after: open)..<close]),
            own: (utime + stime) / ticks, reapedChildren: (cutime + cstime) / ticks)
    }

    static func seconds(_ pid: pid_t) -> Double? { stat(Int(pid))?.own }

    /// All PostgreSQL processes on this host: each one's own CPU, plus, for each postmaster, the CPU of its
    /// children that have exited (backends of closed connections). nil when no PostgreSQL runs here.
    static func postgresSeconds() -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        let postgres = entries.compactMap(Int.init).compactMap(stat).filter { $0.command == "postgres" }
        guard !postgres.isEmpty else { return nil }
        let pids = Set(postgres.map(\.pid))
        return postgres.reduce(0) { total, process in
            total + process.own + (pids.contains(process.parent) ? 0 : process.reapedChildren)
        }
    }
}

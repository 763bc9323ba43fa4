import Foundation
import LiveGateLocal
import Testing

extension PipelineTests {
    /// `livegate run` and `livegate replay` fail closed (contract v1.2, "Nothing fails open"): no key sets, no
    /// start, unless the operator allows unsigned input by name, which every start then logs.
    @Suite("What run and replay trust: key sets, allowances, and nothing by accident")
    struct TrustOptionsTests {
        /// Addresses nothing answers on: these tests are about what happens before the first connection.
        static let nowhere = ["--brokers", "127.0.0.1:1", "--database-url", "postgresql://x@127.0.0.1:1/x"]

        /// Runs `livegate` to its end (at most 60 s) with only `environment` of the trust variables set.
        func livegate(_ arguments: [String], environment: [String: String] = [:]) throws -> (
            status: Int32?, output: String
        ) {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent(
                "livegate-trust-\(UUID().uuidString).log"
            ).path
            defer { unlink(log) }
            let pid = try Subprocess.spawn(
                WorkerProcess.executable, arguments, environment: environment,
                removing: WorkerProcess.trustVariables, output: log)
            let status = Subprocess.wait(pid, seconds: 60)
            if status == nil { kill(pid, SIGKILL); _ = Subprocess.wait(pid, seconds: 10) }
            return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }

        @Test("without key sets or allowances, run and replay refuse to start, in one line naming the option to give")
        func refusesWithoutKeys() throws {
            let replay = ["replay", "--topic", "sly.decision.v1", "--partition", "0"]
            for command in [["run"], replay] {
                let bare = try livegate(command + Self.nowhere)
                #expect(bare.status == 64, "\(bare.output)")
                #expect(
                    bare.output
                        == "Error: No decision key set: give --decision-keys FILE, or --allow-unsigned-decisions to run without signatures.\n",
                    "\(command[0]): \(bare.output)")
                let decisionsOnly = try livegate(command + Self.nowhere + ["--allow-unsigned-decisions"])
                #expect(decisionsOnly.status == 64)
                #expect(
                    decisionsOnly.output
                        == "Error: No resolution key set: give --resolution-keys FILE, or --allow-unsigned-resolutions to run without signatures.\n",
                    "\(command[0]): \(decisionsOnly.output)")
            }
        }

        @Test(
            "a set but empty key set variable, a yes-or-no variable that is neither, and a window out of range are refused"
        )
        func refusesMistakes() throws {
            let allowed = ["run"] + Self.nowhere + WorkerProcess.allowances
            let cases: [(environment: [String: String], arguments: [String], message: String)] = [
                (["LIVEGATE_DECISION_KEYS": ""], [], "LIVEGATE_DECISION_KEYS is set but empty"),
                (["LIVEGATE_RESOLUTION_KEYS": " "], [], "LIVEGATE_RESOLUTION_KEYS is set but empty"),
                (
                    ["LIVEGATE_ALLOW_PRODUCER_TIME": "yes"], [],
                    "LIVEGATE_ALLOW_PRODUCER_TIME must be true, false, 1 or 0"
                ),
                (
                    ["LIVEGATE_ALLOW_UNSIGNED_DECISIONS": ""], [],
                    "LIVEGATE_ALLOW_UNSIGNED_DECISIONS must be true, false, 1 or 0"
                ),
                (
                    ["LIVEGATE_RELEASE_WINDOW_DAYS": "32"], [],
                    "LIVEGATE_RELEASE_WINDOW_DAYS must be a whole number from 1 to 31"
                ),
                (
                    ["LIVEGATE_RELEASE_WINDOW_DAYS": "7d"], [],
                    "LIVEGATE_RELEASE_WINDOW_DAYS must be a whole number from 1 to 31"
                ),
                ([:], ["--release-window-days", "0"], "--release-window-days must be 1 to 31"),
                (
                    [:], ["--decision-keys", "/nonexistent/keys.json"],
                    "Cannot read the decision key set /nonexistent/keys.json: No such file or directory"
                ),
                ([:], ["--resolution-keys", "/"], "Cannot read the resolution key set /: Is a directory"),
            ]
            for (environment, arguments, message) in cases {
                let outcome = try livegate(allowed + arguments, environment: environment)
                #expect(outcome.status == 64, "\(environment) \(arguments): \(outcome.output)")
                #expect(outcome.output.contains(message), "\(environment) \(arguments): \(outcome.output)")
            }
        }

        @Test("with the allowances, given as options or variables, run starts and logs each at warning level")
        func startsAndWarns() throws {
            let variables = [
                "LIVEGATE_ALLOW_UNSIGNED_DECISIONS": "true", "LIVEGATE_ALLOW_UNSIGNED_RESOLUTIONS": "1",
                "LIVEGATE_ALLOW_PRODUCER_TIME": "true",
            ]
            for (arguments, environment, source) in [
                (WorkerProcess.allowances, [:], "--allow-"), ([], variables, "LIVEGATE_ALLOW_"),
            ] {
                let log = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "livegate-trust-\(UUID().uuidString).log"
                ).path
                defer { unlink(log) }
                let pid = try Subprocess.spawn(
                    WorkerProcess.executable, ["run"] + Self.nowhere + arguments, environment: environment,
                    removing: WorkerProcess.trustVariables, output: log)
                func text() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
                // Started: it goes on to look for PostgreSQL (and keeps looking), where a refusal would have exited.
                let deadline = Date().addingTimeInterval(30)
                while !text().contains("PostgreSQL unavailable"), Date() < deadline { usleep(100_000) }
                let running = Subprocess.wait(pid, seconds: 0.1) == nil
                kill(pid, SIGTERM)
                if Subprocess.wait(pid, seconds: 30) == nil {
                    kill(pid, SIGKILL); _ = Subprocess.wait(pid, seconds: 10)
                }
                #expect(running && text().contains("PostgreSQL unavailable"), "\(text().prefix(2000))")
                let warnings = text().split(separator: "\n").filter { $0.contains(" warning ") && $0.contains(source) }
                for consequence in [
                    "decisions are accepted without an admin's signature",
                    "failed resolutions release headroom without settlement's signature",
                    "inputs the broker did not stamp are decided by their producer's clock",
                ] {
                    #expect(
                        warnings.contains { $0.contains(consequence) },
                        "no warning \(consequence) in:\n\(text().prefix(2000))")
                }
            }
        }
    }
}

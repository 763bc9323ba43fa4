import Foundation
import LiveGateLocal
import Testing

@Suite("Bounded child processes")
struct SubprocessTests {
    @Test("a child that outlives its bound is killed with everything in its process group, and reaped")
    func timeout() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent(
            "livegate-grandchild-\(UUID().uuidString)"
        ).path
        let started = Date()
        #expect(throws: Subprocess.TimedOut.self) {
            // The grandchild would write the marker after 3 s unless the group kill reaches it.
            try Subprocess.run(
                "/bin/sh", ["-c", "(sleep 3; touch \(marker)) & echo waiting; sleep 60"], timeoutSeconds: 1)
        }
        #expect(Date().timeIntervalSince(started) < 10)
        Thread.sleep(forTimeInterval: 3.5)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a daemon that keeps the child's output open does not hold the caller")
    func daemonKeepsOutput() throws {
        let started = Date()
        // setsid puts the daemon outside the child's process group, as pg_ctl does with the server it starts.
        let outcome = try Subprocess.run("/bin/sh", ["-c", "setsid sleep 5 & echo started"], timeoutSeconds: 30)
        #expect(outcome.status == 0)
        #expect(outcome.output == "started\n")
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test("exit status and signals are reported as a shell would")
    func status() throws {
        #expect(try Subprocess.run("/bin/sh", ["-c", "exit 3"], timeoutSeconds: 10).status == 3)
        #expect(try Subprocess.run("/bin/sh", ["-c", "kill -9 $$"], timeoutSeconds: 10).status == 137)
    }

    @Test("a run keeps the last bytes of its output, at most the bound")
    func boundedOutput() throws {
        let outcome = try Subprocess.run("/bin/sh", ["-c", "seq 1 100000"], timeoutSeconds: 30, maxOutputBytes: 64)
        #expect(outcome.output.utf8.count == 64)
        #expect(outcome.output.hasSuffix("99999\n100000\n"), "\(outcome.output)")
    }

    @Test("a long-running child: stop asks, then kills one that will not end, and answers the same when repeated")
    func childStop() throws {
        let polite = try ChildProcess("/bin/sh", ["-c", "sleep 60"])
        #expect(polite.isRunning)
        let started = Date()
        #expect(polite.stop(graceSeconds: 10) == 128 + SIGTERM)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!polite.isRunning && polite.stop() == 128 + SIGTERM)

        let stubborn = try ChildProcess("/bin/sh", ["-c", "trap '' TERM; sleep 60"])
        Thread.sleep(forTimeInterval: 0.2)  // the trap is set before the signal comes
        #expect(stubborn.stop(graceSeconds: 0.5) == 128 + SIGKILL)
    }

    @Test("a child let go of while it runs is killed and reaped")
    func childReleased() throws {
        var child: ChildProcess? = try ChildProcess("/bin/sh", ["-c", "sleep 60"])
        let pid = try #require(child?.pid)
        child = nil
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the pid is gone: killed and reaped, no zombie")
    }
}

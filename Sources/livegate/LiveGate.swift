import ArgumentParser

@main
struct LiveGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "livegate",
        abstract: "Gates live money movement: production access and beta ceilings for Sly tenants.",
        subcommands: [Dev.self, Run.self, Migrate.self, TopicsCommand.self, Status.self, Reconcile.self, Replay.self, BenchCommand.self])
}

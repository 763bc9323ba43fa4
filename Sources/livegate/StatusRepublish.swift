import ArgumentParser
import LiveGateCore
import LiveGatePipeline

extension Status {
    /// `livegate status republish`: the compacted status topic rebuilt from PostgreSQL.
    struct Republish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish tenants' current status from PostgreSQL on \(Topics.tenantStatus) again.",
            discussion: """
                For when the compacted status topic lost records or was recreated: each tenant's record is the \
                one a worker publishes after a change, at its current version, so readers (who keep the highest \
                version) never move backwards, and running it twice changes nothing. Workers may keep running. \
                --all walks every stored tenant, 1000 at a time. Exit 1 when a --tenant was never seen (nothing \
                is published then), 2 when PostgreSQL or Kafka cannot be reached.
                """)

        @OptionGroup var broker: BrokerOptions
        @OptionGroup var database: DatabaseOptions

        /// Repeatable, at most 1000.
        @Option(
            name: .customLong("tenant"),
            help: ArgumentHelp(
                "A tenant whose status to publish again; repeatable, at most 1000.", valueName: "id"))
        var tenants: [String] = []

        @Flag(help: "Every stored tenant.")
        var all = false

        func validate() throws {
            guard tenants.isEmpty == all else { throw ValidationError("Give --tenant T (repeatable) or --all.") }
            guard tenants.count <= StatusRepublisher.maxNamedTenants else {
                throw ValidationError("At most \(StatusRepublisher.maxNamedTenants) --tenant; use --all for more.")
            }
            for tenant in tenants where InputDecoder.usableId(.string(tenant)) == nil {
                throw ValidationError("--tenant must be 1 to 128 characters without control characters.")
            }
        }

        func run() throws {
            let url = try database.url()
            let count = try broker.reaching { servers, settings in
                do {
                    return try StatusRepublisher(brokers: servers, databaseURL: url, settings: settings)
                        .run(all ? .all : .tenants(tenants))
                } catch let failure as StatusRepublisher.Failure {
                    throw CommandFailure.refused(failure.description)
                }
            }
            print("republished the status of \(count) tenant\(count == 1 ? "" : "s") on \(Topics.tenantStatus)")
        }
    }
}

import Hummingbird
import Prometheus

/// `GET /metrics`: a registry in the Prometheus text format, on the worker's router and on serve's alike.
public enum PrometheusScrape {
    /// The first guess at a scrape's size: a worker's scrape is a few kilobytes, so one allocation usually does.
    static let initialCapacityBytes = 16 * 1024

    /// Adds `GET /metrics`, answered from `registry`, to `router`.
    public static func add<Context: RequestContext>(to router: Router<Context>, registry: PrometheusCollectorRegistry) {
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(initialCapacityBytes)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

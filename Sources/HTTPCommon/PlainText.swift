import Hummingbird

/// Plain-text answers, for probes and for people reading them with curl.
public enum PlainText {
    /// `body` as `text/plain; charset=utf-8` with `status`.
    public static func response(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

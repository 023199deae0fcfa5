// Celeriac — a Celery-compatible job service in Swift.

/// The API's limits on what a client may send, how long it may take and how often it may
/// ask (`CELERIAC_MAX_*`, `CELERIAC_HEADER_TIMEOUT`, ...; docs/security.md has the table).
/// The body size limit is ``Settings/maxBodyBytes``.
public struct RequestLimits: Sendable, Equatable {
    /// One header field, and a whole head, at most this many bytes (431).
    public var maxHeaderBytes: Int
    /// Header fields per request (431).
    public var maxHeaderCount: Int
    /// Request target (path and query) bytes (414).
    public var maxURIBytes: Int
    /// Seconds a request head may take from its first byte (slowloris).
    public var headerTimeoutSeconds: Int
    /// Seconds a connection with nothing in progress stays open.
    public var idleTimeoutSeconds: Int
    /// Open connections; more are answered 503.
    public var maxConnections: Int
    /// How a request body's JSON may nest and how long its strings may be (400).
    public var json: JSONLimits
    /// Bytes of a task's `args` and `kwargs` together, as JSON (413).
    public var maxArgumentsBytes: Int
    /// Requests per second one token may make, on average (429); 0: no limit.
    public var tokenRatePerSecond: Int
    /// Requests one token may make at once above its rate.
    public var tokenBurst: Int

    public static let `default` = RequestLimits()

    public init(
        maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100, maxURIBytes: Int = 8 * 1024,
        headerTimeoutSeconds: Int = 10, idleTimeoutSeconds: Int = 60, maxConnections: Int = 1000,
        json: JSONLimits = JSONLimits(maxDepth: 64, maxStringBytes: 256 * 1024), maxArgumentsBytes: Int = 512 * 1024,
        tokenRatePerSecond: Int = 0, tokenBurst: Int = 0
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxURIBytes = maxURIBytes
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.json = json
        self.maxArgumentsBytes = maxArgumentsBytes
        self.tokenRatePerSecond = tokenRatePerSecond
        self.tokenBurst = tokenBurst
    }

    /// - Throws: ``ConfigError`` for a value present but out of range.
    public init(environment env: [String: String]) throws(ConfigError) {
        let defaults = RequestLimits.default
        self.init(
            maxHeaderBytes: try Settings.int(env, "CELERIAC_MAX_HEADER_BYTES", default: defaults.maxHeaderBytes, range: 1024...(1 << 20)),
            maxHeaderCount: try Settings.int(env, "CELERIAC_MAX_HEADER_COUNT", default: defaults.maxHeaderCount, range: 8...10_000),
            maxURIBytes: try Settings.int(env, "CELERIAC_MAX_URI_BYTES", default: defaults.maxURIBytes, range: 256...(1 << 20)),
            headerTimeoutSeconds: try Settings.int(env, "CELERIAC_HEADER_TIMEOUT", default: defaults.headerTimeoutSeconds, range: 1...3600),
            idleTimeoutSeconds: try Settings.int(env, "CELERIAC_IDLE_TIMEOUT", default: defaults.idleTimeoutSeconds, range: 1...3600),
            maxConnections: try Settings.int(env, "CELERIAC_MAX_CONNECTIONS", default: defaults.maxConnections, range: 1...1_000_000),
            json: JSONLimits(
                maxDepth: try Settings.int(env, "CELERIAC_MAX_JSON_DEPTH", default: defaults.json.maxDepth, range: 1...JSONLimits.deepest),
                maxStringBytes: try Settings.int(
                    env, "CELERIAC_MAX_JSON_STRING_BYTES", default: defaults.json.maxStringBytes, range: 64...(64 << 20))),
            maxArgumentsBytes: try Settings.int(env, "CELERIAC_MAX_ARGS_BYTES", default: defaults.maxArgumentsBytes, range: 2...(64 << 20)),
            tokenRatePerSecond: try Settings.int(env, "CELERIAC_TOKEN_RATE", default: 0, range: 0...10_000_000))
        let rate = tokenRatePerSecond
        tokenBurst = try Settings.int(env, "CELERIAC_TOKEN_BURST", default: max(1, rate * 2), range: 1...100_000_000)
    }
}

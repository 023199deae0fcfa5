// Celeriac — a Celery-compatible job service in Swift.

extension Duration {
    /// The duration in seconds, as `TimeInterval` arithmetic on dates wants it.
    public var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down (what Redis and libcurl take).
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

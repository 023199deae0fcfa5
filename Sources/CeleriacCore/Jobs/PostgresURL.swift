// Celeriac — a Celery-compatible job service in Swift.

/// A libpq connection URL split so its password never reaches a command line: the URL
/// without it (for `--dbname`) and the password apart (for `PGPASSWORD`).
public struct PostgresURL: Sendable, Equatable {
    /// `postgresql://user@host:port/db?params`, the password removed.
    public var withoutPassword: String
    public var password: String?
    /// The database name (the path), percent-decoded; `postgres` when absent.
    public var database: String
    /// `postgresql://user@host:port` and `?params`, around the database.
    private var server: String
    private var query: Substring

    /// Nil for anything that is not a `postgres://` or `postgresql://` URL.
    public init?(_ url: String) {
        let schemes = ["postgresql://", "postgres://"]
        guard let scheme = schemes.first(where: { url.hasPrefix($0) }) else { return nil }
        var rest = Substring(url.dropFirst(scheme.count))
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let host = rest[..<authorityEnd]
        var authority = String(host)
        rest = rest[authorityEnd...]
        password = nil
        if let at = host.lastIndex(of: "@") {
            let userinfo = host[..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                password = PercentEncoding.decode(userinfo[userinfo.index(after: colon)...].utf8, plusIsSpace: false)
                authority = String(userinfo[..<colon]) + String(host[at...])
            }
        }
        var path = rest.hasPrefix("/") ? rest.dropFirst() : rest[...]
        query = path.firstIndex(of: "?").map { path[$0...] } ?? ""
        path = path.prefix(path.count - query.count)
        let name = PercentEncoding.decode(path.utf8, plusIsSpace: false) ?? String(path)
        database = name.isEmpty ? "postgres" : name
        server = scheme + authority
        withoutPassword = server + rest
    }

    /// The same server and user with another database: `name` is a plain identifier
    /// (letters, digits, `_`), so it needs no escaping.
    public func replacingDatabase(with name: String) -> PostgresURL {
        var url = self
        url.database = name
        url.withoutPassword = server + "/" + name + query
        return url
    }
}

// Celeriac — a Celery-compatible job service in Swift.

extension Migration {
    /// `celeriac_api_token`: the API's bearer tokens, each stored only as the SHA-256 of the
    /// token (hex), with its name, scopes, when it was made and last used, and when it was
    /// revoked (a revoked token stays listed, and its name stays taken).
    static let apiTokens = Migration(version: 5, name: "api_tokens", sql: """
        CREATE TABLE IF NOT EXISTS celeriac_api_token (
            id bigserial PRIMARY KEY,
            name character varying(100) NOT NULL UNIQUE,
            token_sha256 character(64) NOT NULL UNIQUE,
            scopes text[] NOT NULL,
            created_at timestamp with time zone NOT NULL,
            last_used_at timestamp with time zone,
            revoked_at timestamp with time zone
        );
        """)
}

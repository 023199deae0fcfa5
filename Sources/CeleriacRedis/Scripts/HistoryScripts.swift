// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Takes the history writer's lease, or keeps it for its owner: one API process writes
    /// the outbox to PostgreSQL at a time; if it dies the lease lapses and another takes over.
    /// KEYS[1] `celeriac:history-writer`   ARGV[1] owner token   ARGV[2] lease ms
    /// Returns: 1 when ARGV[1] holds the lease now, 0 when another owner does.
    static let holdHistoryLease = RedisScript(name: "hold_history_lease", source: """
        local owner = redis.call('GET', KEYS[1])
        if owner == ARGV[1] then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
        end
        if owner then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """)

    /// Gives the lease up if ARGV[1] holds it (a writer stopping): the next takes over at once.
    /// KEYS[1] `celeriac:history-writer`   ARGV[1] owner token
    static let releaseHistoryLease = RedisScript(name: "release_history_lease", source: """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}

// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Takes beat's leader lease if no one holds it: the value is `<fence>:<holder>`, where
    /// the fence counter grows with every new leader, so each term has its own token.
    /// KEYS[1] `celeriac:beat:leader`   KEYS[2] `celeriac:beat:fence`
    /// ARGV[1] holder (`<name>:<random>`)   ARGV[2] lease, ms
    /// Returns: the token, or nil when another holds the lease.
    static let beatAcquire = RedisScript(name: "beat_acquire", source: """
        if redis.call('EXISTS', KEYS[1]) == 1 then return false end
        local token = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[1]
        redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
        return token
        """)

    /// Extends the lease if `token` still holds it.
    /// KEYS[1] `celeriac:beat:leader`   ARGV[1] token   ARGV[2] lease, ms
    /// Returns: 1 renewed, 0 lost.
    static let beatRenew = RedisScript(name: "beat_renew", source: """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// Gives the lease up if `token` holds it (a leader stopping), so a standby takes over at
    /// once. KEYS[1] `celeriac:beat:leader`   ARGV[1] token
    static let beatRelease = RedisScript(name: "beat_release", source: """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)

    /// Publishes beat's fires, fenced: nothing unless `token` holds the leader lease, and
    /// each fire only if its dedup key is new (`SET NX PX`), so neither a deposed leader nor
    /// two leaders for an instant send a tick twice. Per fire, as ``enqueueOnce``: LPUSH onto
    /// the queue's list, the record with its TTL, kombu's binding when the list was empty,
    /// and the PENDING history entry into the outbox.
    /// KEYS[1] `celeriac:beat:leader`   KEYS[2] `_kombu.binding.celery`
    /// KEYS[3] `_kombu.binding_permanent.celery`   KEYS[4] `celeriac:history-outbox`
    /// ARGV[1] token   ARGV[2] dedup TTL, ms   ARGV[3] record TTL, s   ARGV[4] fire count
    /// then per fire: dedup key, queue list key, record key, binding member, envelope,
    /// history entry (or ''), record field count, record fields...
    /// Returns: -1 when `token` is not the leader's; else per fire 1 (sent) or 0 (sent before).
    static let beatFire = RedisScript(name: "beat_fire", source: """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
        local sent = {}
        local at = 5
        for n = 1, tonumber(ARGV[4]) do
            local fields = tonumber(ARGV[at + 6])
            local first = at + 7
            if redis.call('SET', ARGV[at], ARGV[at + 2], 'NX', 'PX', ARGV[2]) then
                local length = redis.call('LPUSH', ARGV[at + 1], ARGV[at + 4])
                redis.call('HSET', ARGV[at + 2], unpack(ARGV, first, first + fields - 1))
                redis.call('EXPIRE', ARGV[at + 2], ARGV[3])
                if length <= 1 then
                    redis.call('SADD', KEYS[2], ARGV[at + 3])
                    redis.call('SADD', KEYS[3], ARGV[at + 3])
                end
                if ARGV[at + 5] ~= '' then
                    redis.call('XADD', KEYS[4], 'MAXLEN', '~', '\(HistoryOutbox.maxLength)', '*', 'e', ARGV[at + 5])
                end
                sent[n] = 1
            else
                sent[n] = 0
            end
            at = first + fields
        end
        return sent
        """)
}

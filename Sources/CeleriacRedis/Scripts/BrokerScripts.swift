// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Publishes a task like kombu (LPUSH onto the queue's list) and creates our task record in
    /// the same step, once per idempotency key: a second call with the same key publishes
    /// nothing and answers the first task's id, and whether the request (by SHA-1 of its
    /// canonical form) was the same. (Without a key, `Broker` publishes with a transaction.)
    /// The queue's kombu binding is added when its list was empty: a list only loses its
    /// binding with it (kombu's `queue_delete`).
    /// KEYS[1] queue list (`<queue>` or `<queue>\x06\x16<step>`)   KEYS[2] record `celeriac:task:<id>`
    /// KEYS[3] `_kombu.binding.celery`   KEYS[4] `_kombu.binding_permanent.celery`
    /// KEYS[5] `celeriac:idempotency:<key>`
    /// ARGV[1] envelope JSON   ARGV[2] record TTL, seconds   ARGV[3] binding member
    /// ARGV[4] task id   ARGV[5] canonical request   ARGV[6] key TTL
    /// ARGV[7..] record field, value pairs
    /// Returns: `{0, queue length}` published; `{1, id}` same request seen; `{2, id}` key reused
    /// with another request.
    static let enqueueOnce = RedisScript(name: "enqueueOnce", source: """
        local digest = redis.sha1hex(ARGV[5])
        local seen = redis.call('GET', KEYS[5])
        if seen then
            local space = string.find(seen, ' ', 1, true)
            local id = string.sub(seen, 1, space - 1)
            if string.sub(seen, space + 1) == digest then return {1, id} end
            return {2, id}
        end
        redis.call('SET', KEYS[5], ARGV[4] .. ' ' .. digest, 'EX', ARGV[6])
        local length = redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[2], unpack(ARGV, 7))
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        if length == 1 then
            redis.call('SADD', KEYS[3], ARGV[3])
            redis.call('SADD', KEYS[4], ARGV[3])
        end
        return {0, length}
        """)
}

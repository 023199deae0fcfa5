// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Publishes a task like kombu (LPUSH onto the queue's list) and creates our task record in
    /// the same step, once per idempotency key: a second call with the same key publishes
    /// nothing and answers the first task's id, and whether the request (by SHA-1 of its
    /// canonical form) was the same. (Without a key, `Broker` publishes with a transaction.)
    /// The queue's kombu binding is added when its list was empty, or the task is parked: a
    /// list only loses its binding with it (kombu's `queue_delete`).
    /// KEYS[1] queue list (`<queue>` or `<queue>\x06\x16<step>`)   KEYS[2] record `celeriac:task:<id>`
    /// KEYS[3] `_kombu.binding.celery`   KEYS[4] `_kombu.binding_permanent.celery`
    /// KEYS[5] `celeriac:idempotency:<key>`   KEYS[6] `celeriac:scheduled`
    /// ARGV[1] envelope JSON   ARGV[2] record TTL, seconds   ARGV[3] binding member
    /// ARGV[4] task id   ARGV[5] canonical request   ARGV[6] key TTL
    /// ARGV[7] due time (Unix ms) to park it until, or '' to queue it now
    /// ARGV[8..] record field, value pairs
    /// Returns: `{0, queue length}` published (0 when parked); `{1, id}` same request seen;
    /// `{2, id}` key reused with another request.
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
        local length = 0
        if ARGV[7] ~= '' then
            redis.call('ZADD', KEYS[6], ARGV[7], KEYS[1] .. '\\n' .. ARGV[1])
        else
            length = redis.call('LPUSH', KEYS[1], ARGV[1])
        end
        redis.call('HSET', KEYS[2], unpack(ARGV, 8))
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        if length <= 1 then
            redis.call('SADD', KEYS[3], ARGV[3])
            redis.call('SADD', KEYS[4], ARGV[3])
        end
        return {0, length}
        """)
}

extension RedisScript {
    /// Moves tasks whose ETA has come from `celeriac:scheduled` to the consuming end of their
    /// queue (they run next, as a Celery worker runs a held task when due). Idempotent: a
    /// member is moved only by the call whose `ZREM` removed it, so movers in every API and
    /// worker never duplicate a task. Queue keys come from the members (cluster unsupported).
    /// KEYS[1] `celeriac:scheduled`
    /// ARGV[1] now, Unix ms (the caller's clock)   ARGV[2] most members to move
    /// Returns: `{moved, next due (Unix ms) or ''}`.
    static let moveDue = RedisScript(name: "move_due", source: """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        local moved = 0
        for _, member in ipairs(due) do
            if redis.call('ZREM', KEYS[1], member) == 1 then
                local cut = string.find(member, '\\n', 1, true)
                if cut then
                    redis.call('RPUSH', string.sub(member, 1, cut - 1), string.sub(member, cut + 1))
                    moved = moved + 1
                end
            end
        end
        local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {moved, next[2] or ''}
        """)
}

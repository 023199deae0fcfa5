// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Publishes a task like kombu (LPUSH onto the queue's list, binding kept) and creates
    /// our task record in the same step, so a task is never queued without a record.
    /// KEYS[1] queue list (`<queue>` or `<queue>\x06\x16<step>`)   KEYS[2] record `celeriac:task:<id>`
    /// KEYS[3] `_kombu.binding.celery`   KEYS[4] `_kombu.binding_permanent.celery`
    /// ARGV[1] envelope JSON   ARGV[2] record TTL, seconds   ARGV[3] binding member
    /// ARGV[4..] record field, value pairs
    /// Returns: the queue length after the push.
    static let enqueue = RedisScript(name: "enqueue", source: """
        local length = redis.call('LPUSH', KEYS[1], ARGV[1])
        local fields = {}
        for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('HSET', KEYS[2], unpack(fields))
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        redis.call('SADD', KEYS[3], ARGV[3])
        redis.call('SADD', KEYS[4], ARGV[3])
        return length
        """)

    /// Takes up to ARGV[1] messages from the queue lists, in the order given (priority step,
    /// then queue), from the consuming end (RPOP, as kombu's BRPOP), onto the worker's claim
    /// list in one atomic step: a message is always in a queue or in a claim, never in flight.
    /// KEYS[1] claim list `celeriac:claim:<worker>`   KEYS[2..] queue lists in poll order
    /// ARGV[1] most messages to take
    /// Returns: flat array `{queue_key, message, queue_key, message, ...}`, empty when idle.
    static let claim = RedisScript(name: "claim", source: """
        local taken = {}
        local wanted = tonumber(ARGV[1])
        for i = 2, #KEYS do
            while #taken < wanted * 2 do
                local message = redis.call('RPOP', KEYS[i])
                if not message then break end
                redis.call('LPUSH', KEYS[1], message)
                taken[#taken + 1] = KEYS[i]
                taken[#taken + 1] = message
            end
            if #taken >= wanted * 2 then break end
        end
        return taken
        """)

    /// Moves an unreadable message from a claim list to the dead-letter list with the reason.
    /// KEYS[1] claim list   KEYS[2] `celeriac:dead`
    /// ARGV[1] the raw message   ARGV[2] dead-letter entry JSON   ARGV[3] most entries kept
    /// Returns: 1 if the message was still claimed, else 0 (the entry is written either way).
    static let deadLetter = RedisScript(name: "dead_letter", source: """
        local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
        redis.call('LPUSH', KEYS[2], ARGV[2])
        redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
        return removed
        """)
}

extension RedisScript {
    /// Puts a message a dead worker had claimed back at the consuming end of its queue, so it
    /// runs next (as kombu's `restore_visible` RPUSHes).
    /// KEYS[1] claim list   KEYS[2] queue list
    /// ARGV[1] the raw message
    /// Returns: 1 if moved, 0 if it was no longer claimed.
    static let requeueClaimed = RedisScript(name: "requeue_claimed", source: """
        if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
        redis.call('RPUSH', KEYS[2], ARGV[1])
        return 1
        """)
}

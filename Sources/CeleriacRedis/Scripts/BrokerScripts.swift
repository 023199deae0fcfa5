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
}

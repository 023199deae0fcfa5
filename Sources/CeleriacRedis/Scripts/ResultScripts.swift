// Celeriac — a Celery-compatible job service in Swift.

extension RedisScript {
    /// Applies one reported state change: updates our task record and writes Celery's result
    /// key exactly as Celery does (SETEX with TTL, PUBLISH on the key's own channel), unless
    /// the record already holds a later state of the run (a late STARTED after SUCCESS), or
    /// the report comes from an attempt whose lease is no longer the task's (fencing).
    /// KEYS[1] record `celeriac:task:<id>`   KEYS[2] result `celery-task-meta-<id>`
    /// ARGV[1] rank of the new state (TaskState.progress)   ARGV[2] TTL, seconds
    /// ARGV[3] meta JSON   ARGV[4] the attempt's lease token, '' for none
    /// ARGV[5] n = count of set-if-absent pairs that follow
    /// ARGV[6 .. 5+2n] field, value pairs set only if absent   ARGV[6+2n ..] pairs always set
    /// Returns: 1 if applied, 0 if ignored as stale, -1 if fenced.
    static let applyReport = RedisScript(name: "apply_report", source: """
        if ARGV[4] ~= '' then
            local lease = redis.call('HGET', KEYS[1], 'lease')
            if lease and lease ~= ARGV[4] then return -1 end
        end
        local current = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
        local rank = tonumber(ARGV[1])
        if current > rank then return 0 end
        local n = tonumber(ARGV[5])
        local i = 6
        while i < 6 + 2 * n do
            redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
            i = i + 2
        end
        local fields = {'rank', ARGV[1]}
        while i <= #ARGV do
            fields[#fields + 1] = ARGV[i]
            fields[#fields + 1] = ARGV[i + 1]
            i = i + 2
        end
        redis.call('HSET', KEYS[1], unpack(fields))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('SETEX', KEYS[2], ARGV[2], ARGV[3])
        redis.call('PUBLISH', KEYS[2], ARGV[3])
        return 1
        """)
}

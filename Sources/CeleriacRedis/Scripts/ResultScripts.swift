// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

extension RedisScript {
    /// Applies one reported state change: updates our task record and writes Celery's result
    /// key exactly as Celery does (SETEX with TTL, PUBLISH on the key's own channel), unless
    /// the record already holds a later state of the run (a late STARTED after SUCCESS), or
    /// the report comes from an attempt whose lease is no longer the task's (fencing).
    /// A final report of the current attempt also ends its lease, so the worker needs no
    /// acknowledgement round trip of its own per task.
    /// An applied report's history entry goes to the outbox stream in the same step, so no
    /// crash between applying it and writing PostgreSQL loses the row.
    /// KEYS[1] record `celeriac:task:<id>`   KEYS[2] result `celery-task-meta-<id>`
    /// KEYS[3] `celeriac:history-outbox`
    /// ARGV[1] rank of the new state (TaskState.rank)   ARGV[2] TTL, seconds
    /// ARGV[3] meta JSON   ARGV[4] the attempt's lease token, '' for none
    /// ARGV[5] '1' when the state is final (ends the lease), else '0'
    /// ARGV[6] n = count of set-if-absent pairs that follow
    /// ARGV[7] history entry for the outbox, '' for none
    /// ARGV[8 .. 7+2n] field, value pairs set only when the record has no `task` yet
    /// ARGV[8+2n ..] pairs always set
    /// Returns: 1 if applied, 0 if ignored as stale, -1 if fenced.
    static let applyReport = RedisScript(name: "apply_report", source: leaseHelpers + """

        local record = redis.call('HMGET', KEYS[1], 'lease', 'rank', 'task')
        if ARGV[4] ~= '' then
            local lease = record[1]
            if lease and lease ~= ARGV[4] then return -1 end
            if ARGV[5] == '1' then
                local worker = redis.call('HGET', '\(RedisKeys.leasePrefix)' .. ARGV[4], 'worker')
                if worker then
                    drop_lease('\(RedisKeys.leases)', '\(RedisKeys.workerLeasesPrefix)' .. worker, ARGV[4])
                end
            end
        end
        local current = tonumber(record[2] or '-1')
        local rank = tonumber(ARGV[1])
        if current > rank then return 0 end
        -- The set-if-absent fields all come with the record's creation (enqueue): a record
        -- without `task` (a plain Celery client's task) takes them all, any other skips them.
        local fields = {'rank', ARGV[1]}
        local first = record[3] and 8 + 2 * tonumber(ARGV[6]) or 8
        for i = first, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('HSET', KEYS[1], unpack(fields))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('SETEX', KEYS[2], ARGV[2], ARGV[3])
        redis.call('PUBLISH', KEYS[2], ARGV[3])
        if ARGV[7] ~= '' then
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', '\(HistoryOutbox.maxLength)', '*', 'e', ARGV[7])
        end
        return 1
        """)
}

// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

/// Leased consumption (docs/delivery.md). Times come from Redis's own clock (`TIME`), so
/// workers with skewed clocks agree on when a lease expired. Keys derived inside a script
/// (`celeriac:lease:<token>`, `celeriac:task:<id>`) are why Redis Cluster is unsupported.
extension RedisScript {
    /// Lua shared by the scripts below: the current time in ms, ending a lease
    /// (`drop_lease`), and returning one lease's message to the consuming end of its queue.
    ///
    /// `requeue(token, crashed)`: move the message back to the consuming end of its queue
    /// (it runs next, like kombu's restore), drop the lease, and on a crash count it in the
    /// task record (`crashes`) and mark the record's lease `lost`, so a late report of that
    /// attempt is fenced.
    static let leaseHelpers = """
        local function now_ms()
            local t = redis.call('TIME')
            return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function drop_lease(leases, worker_set, token)
            redis.call('SREM', worker_set, token)
            redis.call('DEL', '\(RedisKeys.leasePrefix)' .. token, '\(RedisKeys.leaseMessagePrefix)' .. token)
            return redis.call('ZREM', leases, token)
        end
        local function requeue(token, crashed)
            local lease = redis.call('HMGET', '\(RedisKeys.leasePrefix)' .. token, 'queue', 'worker', 'task')
            if not lease[1] then
                redis.call('ZREM', '\(RedisKeys.leases)', token)
                return nil
            end
            redis.call('LMOVE', '\(RedisKeys.leaseMessagePrefix)' .. token, lease[1], 'RIGHT', 'RIGHT')
            drop_lease('\(RedisKeys.leases)', '\(RedisKeys.workerLeasesPrefix)' .. lease[2], token)
            if lease[3] ~= '' then
                local record = '\(RedisKeys.taskPrefix)' .. lease[3]
                if crashed then redis.call('HINCRBY', record, 'crashes', 1) end
                redis.call('HSET', record, 'lease', crashed and 'lost' or 'released')
            end
            return lease[3]
        end
        """

    /// Takes up to ARGV[2] messages from the queue lists (consuming end) and leases each in the
    /// same step: a message is always in a queue or under a lease, never in flight. The lists
    /// are ARGV[5] queues' priority steps, step-major (``QueueCycle/pollOrder``). Each message
    /// comes from the first non-empty list in that order, and with several queues its queue
    /// then moves to the end of the order, as kombu's BRPOP loop rotates its queue cycle after
    /// every message; with one queue a list gives as many as it has.
    /// KEYS[1] `celeriac:fence`  KEYS[2] `celeriac:leases`  KEYS[3] worker's lease set
    /// KEYS[4] `celeriac:workers`  KEYS[5..] queue lists
    /// ARGV[1] worker  ARGV[2] most messages  ARGV[3] lease ms  ARGV[4] record TTL seconds
    /// ARGV[5] number of queues (default 1: the lists are taken strictly in order)
    /// Returns: flat `{queue_key, message, token, crashes, ...}`, in the order taken.
    static let claimLeased = RedisScript(name: "claim_leased", source: leaseHelpers + """

        -- headers.id. Every key before `headers` in a kombu envelope is ours or base64, and
        -- quotes inside JSON strings are escaped, so the first `"id": "..."` is the header;
        -- anything unusual (escapes in the id) takes the full decode.
        local function task_id(message)
            local id = string.match(message, '"id"%s*:%s*"([^"\\\\]+)"')
            if id then return id end
            local ok, decoded = pcall(cjson.decode, message)
            if ok and type(decoded) == 'table' and type(decoded.headers) == 'table'
                and type(decoded.headers.id) == 'string' then return decoded.headers.id end
            return ''
        end

        -- Variadic ZADD/SADD in slices: Lua's unpack has a stack limit.
        local function add_all(command, key, items)
            for first = 1, #items, 1000 do
                redis.call(command, key, unpack(items, first, math.min(first + 999, #items)))
            end
        end

        local now = now_ms()
        redis.call('ZADD', KEYS[4], now, ARGV[1])
        local wanted = tonumber(ARGV[2])
        local expiry = now + tonumber(ARGV[3])
        local out, scored, tokens = {}, {}, {}
        -- Leases `n` messages from KEYS[i].
        local function lease_from(i, n)
            local last = redis.call('INCRBY', KEYS[1], n)
            for token = last - n + 1, last do
                token = tostring(token)
                local message = redis.call('LMOVE', KEYS[i], '\(RedisKeys.leaseMessagePrefix)' .. token, 'RIGHT', 'RIGHT')
                local id = task_id(message)
                redis.call('HSET', '\(RedisKeys.leasePrefix)' .. token, 'queue', KEYS[i], 'worker', ARGV[1], 'task', id)
                local crashes = 0
                if id ~= '' then
                    local record = '\(RedisKeys.taskPrefix)' .. id
                    redis.call('HSET', record, 'lease', token)
                    redis.call('EXPIRE', record, ARGV[4], 'NX')
                    crashes = tonumber(redis.call('HGET', record, 'crashes') or '0')
                end
                scored[#scored + 1] = expiry
                scored[#scored + 1] = token
                tokens[#tokens + 1] = token
                out[#out + 1] = KEYS[i]
                out[#out + 1] = message
                out[#out + 1] = token
                out[#out + 1] = crashes
            end
        end
        local queues = math.max(1, tonumber(ARGV[5] or '1'))
        local steps = math.floor((#KEYS - 4) / queues)
        local cycle, empty = {}, {}
        for q = 1, queues do cycle[q] = q end
        while #tokens < wanted do
            local taken = false
            for step = 0, steps - 1 do
                for position = 1, queues do
                    local i = 4 + step * queues + cycle[position]
                    if not empty[i] then
                        local length = redis.call('LLEN', KEYS[i])
                        if length == 0 then
                            empty[i] = true
                        else
                            lease_from(i, queues == 1 and math.min(length, wanted - #tokens) or 1)
                            table.insert(cycle, table.remove(cycle, position))
                            taken = true
                            break
                        end
                    end
                end
                if taken then break end
            end
            if not taken then break end
        end
        if #tokens > 0 then
            add_all('ZADD', KEYS[2], scored)
            add_all('SADD', KEYS[3], tokens)
        end
        return out
        """)

    /// Extends the worker's leases and records it alive.
    /// KEYS[1] `celeriac:leases`  KEYS[2] `celeriac:workers`
    /// ARGV[1] worker  ARGV[2] lease ms  ARGV[3..] tokens the worker holds
    /// Returns: the tokens whose lease is gone (reaped: another attempt may be running).
    static let renewLeases = RedisScript(name: "renew_leases", source: leaseHelpers + """

        local now = now_ms()
        redis.call('ZADD', KEYS[2], now, ARGV[1])
        local lost = {}
        for i = 3, #ARGV do
            if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[i]) == 0
                and not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
                lost[#lost + 1] = ARGV[i]
            end
        end
        return lost
        """)

    /// Records the worker alive (between lease renewals).
    /// KEYS[1] `celeriac:workers`  ARGV[1] worker
    static let heartbeat = RedisScript(name: "heartbeat", source: leaseHelpers + """

        redis.call('ZADD', KEYS[1], now_ms(), ARGV[1])
        return 1
        """)

    /// Returns leases to their queues without counting a crash (graceful shutdown).
    /// ARGV[1..] tokens   Returns: how many were returned.
    static let releaseLeases = RedisScript(name: "release_leases", source: leaseHelpers + """

        local n = 0
        for i = 1, #ARGV do
            if requeue(ARGV[i], false) then n = n + 1 end
        end
        return n
        """)

    /// Returns expired leases and every lease of workers silent for ARGV[1] ms to their queues,
    /// counting a crash for each. Also what a restarted worker runs for its own name first.
    /// KEYS[1] `celeriac:leases`  KEYS[2] `celeriac:workers`
    /// ARGV[1] dead-after ms  ARGV[2] most leases per call  ARGV[3] (optional) a worker name
    /// to treat as dead now
    /// Returns: ids of the tasks returned (`''` for unreadable messages).
    static let reapLeases = RedisScript(name: "reap_leases", source: leaseHelpers + """

        local now = now_ms()
        local returned = {}
        local function reap(token)
            local id = requeue(token, true)
            if id then returned[#returned + 1] = id end
        end
        local function reap_worker(worker)
            local set = '\(RedisKeys.workerLeasesPrefix)' .. worker
            for _, token in ipairs(redis.call('SMEMBERS', set)) do reap(token) end
            redis.call('DEL', set)
            redis.call('ZREM', KEYS[2], worker)
        end
        if ARGV[3] then reap_worker(ARGV[3]) end
        local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, 10)
        for _, worker in ipairs(dead) do reap_worker(worker) end
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
        for _, token in ipairs(expired) do reap(token) end
        return returned
        """)

    /// Parks a leased message whose ETA is ahead in `celeriac:scheduled` and ends the lease
    /// (no crash counted): the mover queues it again when due. A retry parks the message of
    /// its next attempt instead, in the same step.
    /// KEYS[1] `celeriac:leases`  KEYS[2] worker's lease set  KEYS[3] `celeriac:scheduled`
    /// ARGV[1] token  ARGV[2] due time, Unix ms  ARGV[3] the queue key it came from
    /// ARGV[4] (optional) the message to park in its place
    /// Returns: 1 parked, 0 the lease was gone (reaped: the message is back in its queue).
    static let parkLease = RedisScript(name: "park_lease", source: leaseHelpers + """

        local message = redis.call('RPOP', '\(RedisKeys.leaseMessagePrefix)' .. ARGV[1])
        if not message then
            drop_lease(KEYS[1], KEYS[2], ARGV[1])
            return 0
        end
        redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3] .. '\\n' .. (ARGV[4] or message))
        drop_lease(KEYS[1], KEYS[2], ARGV[1])
        return 1
        """)

    /// Moves an unreadable leased message to the dead-letter list with the reason.
    /// KEYS[1] `celeriac:leases`  KEYS[2] worker's lease set  KEYS[3] `celeriac:dead`
    /// ARGV[1] token  ARGV[2] dead-letter entry JSON  ARGV[3] most entries kept
    static let deadLetterLease = RedisScript(name: "dead_letter_lease", source: leaseHelpers + """

        drop_lease(KEYS[1], KEYS[2], ARGV[1])
        redis.call('LPUSH', KEYS[3], ARGV[2])
        redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[3]) - 1)
        return 1
        """)
}

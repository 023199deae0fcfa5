// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

extension RedisScript {
    /// Everything `GET /queues` shows, in one step. Queues known: the members of kombu's
    /// binding sets (every queue a Celery client, our API or a worker declared), the queues of
    /// parked tasks and of leases, and ARGV[4..]. For each, per priority step: the list's
    /// length and its oldest message (the consuming end, `LINDEX -1`: messages are LPUSHed)
    /// with the task id, `eta` header and our record's `created_at` (none of kombu's or
    /// Celery's envelope fields says when a message was sent). Parked tasks and leases are
    /// counted per queue by reading at most ARGV[1] / ARGV[2] of them (the rest are only in
    /// the totals). List keys are derived from queue names (cluster unsupported).
    /// KEYS[1] `_kombu.binding.celery`   KEYS[2] `_kombu.binding_permanent.celery`
    /// KEYS[3] `celeriac:scheduled`   KEYS[4] `celeriac:leases`
    /// ARGV[1] most parked members read   ARGV[2] most leases read   ARGV[3] most queues
    /// ARGV[4..] queue names always shown (the API's configured queues)
    /// Returns: `{parked total, leases total, queues truncated (0/1), then per queue (sorted by
    /// name): name, parked, leased, and per step 0, 3, 6, 9: length, oldest id, eta, created_at
    /// ('' when unknown)}`.
    static let queueStats = RedisScript(name: "queue_stats", source: """
        local sep = '\(RedisKeys.prioritySeparator)'
        local steps = {\(RedisKeys.prioritySteps.map(String.init).joined(separator: ", "))}
        -- Position of the last separator in `text`, or nil.
        local function last_sep(text)
            local cut, at = nil, 1
            while true do
                local found = string.find(text, sep, at, true)
                if not found then return cut end
                cut, at = found, found + 1
            end
        end
        local function queue_of(key)
            local cut = last_sep(key)
            if cut then return string.sub(key, 1, cut - 1) end
            return key
        end
        local names, parked, leased = {}, {}, {}
        -- Binding members are `<routing key>` sep `<pattern>` sep `<queue>`.
        for _, set in ipairs({KEYS[1], KEYS[2]}) do
            for _, member in ipairs(redis.call('SMEMBERS', set)) do
                local cut = last_sep(member)
                if cut then names[string.sub(member, cut + #sep)] = true end
            end
        end
        for i = 4, #ARGV do names[ARGV[i]] = true end
        for _, member in ipairs(redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1)) do
            local cut = string.find(member, '\\n', 1, true)
            if cut then
                local name = queue_of(string.sub(member, 1, cut - 1))
                names[name] = true
                parked[name] = (parked[name] or 0) + 1
            end
        end
        for _, token in ipairs(redis.call('ZRANGE', KEYS[4], 0, tonumber(ARGV[2]) - 1)) do
            local key = redis.call('HGET', '\(RedisKeys.leasePrefix)' .. token, 'queue')
            if key then
                local name = queue_of(key)
                names[name] = true
                leased[name] = (leased[name] or 0) + 1
            end
        end
        local sorted = {}
        for name in pairs(names) do
            if name ~= '' then sorted[#sorted + 1] = name end
        end
        table.sort(sorted)
        local most = tonumber(ARGV[3])
        local out = {redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), #sorted > most and 1 or 0}
        for i = 1, math.min(#sorted, most) do
            local name = sorted[i]
            out[#out + 1] = name
            out[#out + 1] = parked[name] or 0
            out[#out + 1] = leased[name] or 0
            for _, step in ipairs(steps) do
                local key = name
                if step > 0 then key = name .. sep .. step end
                local length = redis.pcall('LLEN', key)
                if type(length) ~= 'number' then length = 0 end  -- not a list
                local id, eta, created = '', '', ''
                if length > 0 then
                    local ok, message = pcall(cjson.decode, redis.call('LINDEX', key, -1))
                    if ok and type(message) == 'table' and type(message.headers) == 'table' then
                        if type(message.headers.id) == 'string' then id = message.headers.id end
                        if type(message.headers.eta) == 'string' then eta = message.headers.eta end
                    end
                    if id ~= '' then
                        created = redis.call('HGET', '\(RedisKeys.taskPrefix)' .. id, 'created_at') or ''
                    end
                end
                out[#out + 1] = length
                out[#out + 1] = id
                out[#out + 1] = eta
                out[#out + 1] = created
            end
        end
        return out
        """)
}

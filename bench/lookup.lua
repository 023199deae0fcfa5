-- wrk script: GET /tasks/{id} for random ids among the BENCH_ROWS history rows bench/run.sh
-- inserted (ids 00000000-0000-4000-8000-<12-digit row number>). They are in PostgreSQL
-- only, so every request takes the history path.
local rows = tonumber(os.getenv("BENCH_ROWS") or "1000")

function init(args)
  -- Each wrk thread its own sequence.
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

request = function()
  return wrk.format("GET", string.format("/tasks/00000000-0000-4000-8000-%012d", math.random(1, rows)))
end

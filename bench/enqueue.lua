-- wrk script: POST /tasks with a unique body per request (a counter in args), so nothing
-- can be cached or deduplicated. Queue from the BENCH_QUEUE environment variable.
local counter = 0
local queue = os.getenv("BENCH_QUEUE") or "bench_enqueue"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = string.format('{"task": "celeriac.echo", "args": [%d, "%s"], "queue": "%s"}',
    counter, tostring(math.random(1, 1000000000)), queue)
  return wrk.format(nil, "/tasks", nil, body)
end

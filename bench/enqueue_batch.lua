-- wrk script: POST /tasks/batch with BENCH_BATCH tasks per request, each with the body of
-- bench/enqueue.lua's single task (a counter and a random number in args), so batches and
-- single tasks put the same messages on the queue.
local counter = 0
local queue = os.getenv("BENCH_QUEUE") or "bench_batch"
local size = tonumber(os.getenv("BENCH_BATCH") or "100")
local tail = '"], "queue": "' .. queue .. '"}'
local token = os.getenv("BENCH_TOKEN") or ""
local head

request = function()
  if not head then
    head = "POST /tasks/batch HTTP/1.1\r\nHost: " .. (wrk.headers["Host"] or wrk.host)
      .. (token ~= "" and ("\r\nAuthorization: Bearer " .. token) or "")
      .. "\r\nContent-Type: application/json\r\nContent-Length: "
  end
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = '{"task": "celeriac.echo", "args": [' .. counter .. ', "' .. math.random(1, 1000000000) .. tail
  end
  local body = '{"tasks": [' .. table.concat(parts, ", ") .. ']}'
  return head .. #body .. "\r\n\r\n" .. body
end

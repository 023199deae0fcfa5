-- wrk script: POST /tasks with a unique body per request (a counter in args), so nothing
-- can be cached or deduplicated. Queue from the BENCH_QUEUE environment variable.
-- A request is one concatenation, its request line and headers made once: wrk.format
-- walks (and rewrites) its header table on every call.
local counter = 0
local queue = os.getenv("BENCH_QUEUE") or "bench_enqueue"
local tail = '"], "queue": "' .. queue .. '"}'
local token = os.getenv("BENCH_TOKEN") or ""
local head

request = function()
  if not head then
    head = "POST /tasks HTTP/1.1\r\nHost: " .. (wrk.headers["Host"] or wrk.host)
      .. (token ~= "" and ("\r\nAuthorization: Bearer " .. token) or "")
      .. "\r\nContent-Type: application/json\r\nContent-Length: "
  end
  counter = counter + 1
  local body = '{"task": "celeriac.echo", "args": [' .. counter .. ', "' .. math.random(1, 1000000000) .. tail
  return head .. #body .. "\r\n\r\n" .. body
end

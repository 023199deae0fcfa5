-- wrk script: GET /tasks?<BENCH_QUERY> for bench/list_query.sh. With BENCH_CURSORS (a file of
-- cursors, one a line, taken at random rows of the history), each request starts its page at
-- a random one of them: a deep page anywhere in the table.
local query = os.getenv("BENCH_QUERY") or ""
local cursors = {}
local file = os.getenv("BENCH_CURSORS")
if file and file ~= "" then
  for line in io.lines(file) do cursors[#cursors + 1] = line end
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

request = function()
  local path = "/tasks?" .. query
  if #cursors > 0 then path = path .. "&cursor=" .. cursors[math.random(1, #cursors)] end
  return wrk.format("GET", path)
end

-- wrk script for the write scenarios (bench/load.ts runs it):
--   wrk … -s bench/put.lua <origin> -- <METHOD> <requests file>
--
-- The requests file holds pairs of lines, a path and its body (one-line JSON). Every request is
-- one of these pairs picked at random, so the load spreads over several offers instead of
-- hammering one row. Headers given with -H (token, Content-Type, If-Match) go on every request.
--
-- wrk's own report only counts "Non-2xx or 3xx responses", so this script counts each status code
-- (a replace is 200; 201 only where the server follows the documented PUT, 412 for a stale ETag)
-- and prints them on a "Status codes:" line after the report.

local requests = {}
local threads = {}

-- Runs once per thread, in the main Lua state: remembers the threads so done() can read their
-- counters, and gives each one a number to seed its random generator with.
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

-- Runs in each thread's own Lua state. Globals read by done() through thread:get must be global.
function init(args)
  local method, file = args[1], args[2]
  local input = assert(io.open(file, "rb"))
  while true do
    local path = input:read("*l")
    if not path then break end
    local body = assert(input:read("*l"), "a path without a body in " .. file)
    -- Pre-formatted once: request() then only picks a string (Content-Length and Host are added here).
    requests[#requests + 1] = wrk.format(method, path, nil, body)
  end
  input:close()
  assert(#requests > 0, "no requests in " .. file)
  math.randomseed(os.time() * 100 + thread_number)
  status_counts = {}
end

function request()
  return requests[math.random(#requests)]
end

function response(status)
  status_counts[status] = (status_counts[status] or 0) + 1
end

function done()
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("status_counts")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do parts[#parts + 1] = status .. "=" .. count end
  table.sort(parts)
  io.write("Status codes: " .. table.concat(parts, " ") .. "\n")
end

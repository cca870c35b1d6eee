-- wrk script shared by the bench/ harnesses (bench/wrk_harness.py).
--
-- WRK_REQUESTS names a file of requests, one a line: METHOD <tab> PATH <tab> HEADERS <tab> BODY, where
-- HEADERS is "Name: value" pairs joined by "|" and BODY is one line (may be empty). Each thread walks the
-- list from its own offset, one request after the other, so a list of per-member requests spreads the
-- load over members. Without WRK_REQUESTS every request is wrk's own (-H headers, the URL's path).
--
-- done() prints one line "WRKJSON {...}" with the counts and the latency percentiles (microseconds).

local requests = {}
local count = 0
local position = 0

local function split_headers(text)
  local headers = {}
  for pair in string.gmatch(text, "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  return headers
end

function init(args)
  local file = os.getenv("WRK_REQUESTS")
  if file == nil or file == "" then return end
  for line in io.lines(file) do
    local method, path, headers, body = string.match(line, "^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    if method then
      count = count + 1
      if body == "" then body = nil end
      requests[count] = wrk.format(method, path, split_headers(headers), body)
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  position = math.random(count) - 1
end

function request()
  if count == 0 then return wrk.request() end
  position = position % count + 1
  return requests[position]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end

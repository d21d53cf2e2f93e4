-- wrk script: uncached searches, every request a query no cache has seen.
-- Claims are read from the SciFact queries file (set CLAIMS, read in place); each request takes
-- the next claim and appends a request number, so neither the answer caches nor the query-embedding
-- cache can answer it (the number is one extra token: the embedding changes, the keyword part
-- loses nothing since a number unknown to the tenant is dropped by the IDF weighting).
-- Environment: KB_KEY (the tenant's API key), MODE (hybrid, vector, keyword; default hybrid),
-- CLAIMS (path of queries.jsonl), RUN (a number that makes this run's queries differ from an
-- earlier run's against the same API; default: the clock's seconds). Usage: see benchmark/README.md (uncached throughput).

local claims = {}
local counter = 0

local function load_claims(path)
  local out = {}
  for line in io.lines(path) do
    local text = line:match('"text"%s*:%s*"(.-)"%s*[,}]')
    if text then
      out[#out + 1] = text
    end
  end
  return out
end

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  claims = load_claims(os.getenv("CLAIMS"))
  mode = os.getenv("MODE") or "hybrid"
  key = os.getenv("KB_KEY")
  run = os.getenv("RUN") or tostring(os.time())
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. key
end

function request()
  n = n + 1
  local claim = claims[(n * 7 + id * 131) % #claims + 1]
  local query = string.format("%s %s%d%d", claim, run, id, n)
  local body = string.format('{"query":"%s","k":10,"mode":"%s"}', query, mode)
  return wrk.format(nil, "/v1/search", nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  elseif body:find('"cached":true', 1, true) then
    io.stderr:write("cached answer: the query was not unique\n")
  end
end

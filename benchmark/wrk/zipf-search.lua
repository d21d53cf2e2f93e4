-- wrk script: GET searches cycling through a list of request paths, one per line (set PATHS),
-- written by `kb bench report` from the same Zipf sampler of the SciFact claims its own load
-- generator uses, so wrk and the generator ask the same cached mix. KB_KEY: the tenant's API key.
-- Usage: see benchmark/README.md (the wrk cross-check).

local paths = {}

function init(args)
  for line in io.lines(os.getenv("PATHS")) do
    paths[#paths + 1] = line
  end
  n = math.random(#paths)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KB_KEY")
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. "\n")
  end
end

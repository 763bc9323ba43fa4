-- wrk script for deploy/serve-bench.sh: GET the production status of a random tenant among t-1 … t-N
-- (N from the TENANTS environment variable), with a bearer token when TOKEN is set.
local tenants = tonumber(os.getenv("TENANTS") or "1000")
local token = os.getenv("TOKEN")

request = function()
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", "/v1/tenants/t-" .. math.random(1, tenants) .. "/production-status", headers)
end

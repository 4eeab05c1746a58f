-- A course filter for tests/outputs/run.py (run only with --trust-filters):
-- when COURSEC_TEST_GATE names a file, it creates GATE.reached and then waits
-- until GATE exists. The build is then held inside its writing pass (its
-- temporary folders made, the output folder locked) for exactly as long as
-- the test needs, whatever the load of the machine: no sleep decides it.
local gate = os.getenv("COURSEC_TEST_GATE")
if gate then
  local f = io.open(gate .. ".reached", "w")
  if f then f:close() end
  while true do
    local g = io.open(gate, "r")
    if g then
      g:close()
      break
    end
    os.execute("sleep 0.05")
  end
end
return {}

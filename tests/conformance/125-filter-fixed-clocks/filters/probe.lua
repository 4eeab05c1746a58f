-- Probes the sandbox from a filter and writes what it finds into the page: os.clock
-- must not move however much CPU is burnt (it could otherwise carry a signal from the
-- facilitator's state to the learner's), os.time/os.date come from SOURCE_DATE_EPOCH,
-- tostring shows no address, string.format('%p') and a __gc metamethod are refused.
return {
  Document = function(doc, ctx)
    local t0 = os.clock()
    local x = 0
    for i = 1, 300000 do x = x + i % 7 end
    local t1 = os.clock()
    local clock = (t0 == t1) and "clock-constant" or "clock-moving"
    local p_ok = pcall(string.format, "%p", {})
    local gc_ok = pcall(setmetatable, {}, {__gc = function() end})
    local lines = {
      clock,
      "time=" .. tostring(os.time()),
      "date=" .. os.date("!%Y-%m-%d"),
      "table=[" .. tostring({}) .. "] function=[" .. tostring(print) .. "]",
      p_ok and "p-allowed" or "p-refused",
      gc_ok and "gc-allowed" or "gc-refused",
    }
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph{"probe: " .. table.concat(lines, " ") .. " end"}
    doc.children = kids
  end,
}

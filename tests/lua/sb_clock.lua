-- Sandbox test: os.clock, os.time, os.date and math.random are fixed for the build.
return {
  Document = function(doc, ctx)
    local c0 = os.clock()
    local x = 0
    for i = 1, 2000000 do x = x + i end
    local s1, s2 = math.randomseed()
    ctx.warn(nil, ctx.edition.name .. " clock " .. (os.clock() - c0) .. " " .. os.clock() .. " time " .. os.time() ..
      " date " .. os.date("!%Y-%m-%d %H:%M:%S") .. " seed " .. tostring(s1) .. " " .. tostring(s2) ..
      " random " .. math.random(1000000) .. " noon " .. os.date("!%H", 1700000000 + 3600))
  end,
}

-- Sandbox test: no value shows an address (SPEC §11.6); numbers per state.
return {
  Document = function(doc, ctx)
    local t, f = {}, function() end
    local named = setmetatable({}, {__name = "thing"})
    local own = setmetatable({}, {__tostring = function() return "mine" end})
    local parts = {
      tostring(t), tostring(t), tostring(f), tostring(print), tostring(named),
      string.format("%s|%s|%-9s|%.3s", t, named, own, {}), tostring(doc), tostring(ctx),
    }
    local ok, e = pcall(error, {})
    parts[#parts + 1] = type(e)
    ctx.warn(nil, "addr " .. table.concat(parts, " "))
    local _, fe = pcall(function() return string.format("%d", "x") end)
    ctx.warn(nil, "fmterr " .. fe)
    local _, se = pcall(setmetatable, 1, {})
    ctx.warn(nil, "mterr " .. se)
    ctx.warn(nil, setmetatable({}, {__name = "warned"}))
  end,
}

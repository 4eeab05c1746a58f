-- Test filter: a top-level local must start at 0 in every run; a global
-- lives as long as the Lua state (one per edition).
local count = 0
RUNS = (RUNS or 0) + 1
return {
  Text = function(node, ctx) count = count + 1 end,
  Document = function(doc, ctx)
    ctx.warn(nil, "count " .. count .. " runs " .. RUNS .. " " .. ctx.edition.name)
  end,
}

-- Test filter: serialises the tree (types and fields) into one warning.
local function attr_s(a)
  local keys = {}
  for k, v in pairs(a) do if k ~= "id" and k ~= "classes" then keys[#keys + 1] = k .. "=" .. v end end
  table.sort(keys)
  return (a.id and ("#" .. a.id) or "") .. (#a.classes > 0 and ("." .. table.concat(a.classes, ".")) or "")
    .. (#keys > 0 and ("[" .. table.concat(keys, ",") .. "]") or "")
end
local function dump(n, out)
  local f = {n.type, "@" .. n.line .. ":" .. n.col, attr_s(n.attr)}
  for _, k in ipairs({"text", "level", "info", "url", "title", "ordered", "start", "checked",
                      "width", "label", "duration", "format"}) do
    local v = n[k]
    if v ~= nil then f[#f + 1] = k .. "=" .. tostring(v) end
  end
  if n.is_break then f[#f + 1] = "break" end
  if n.natural then f[#f + 1] = "natural" end
  if n.answer then
    local alts = {}
    for _, alt in ipairs(n.answer) do
      local parts = {}
      for _, c in ipairs(alt) do parts[#parts + 1] = c.type .. ":" .. (c.text or "") end
      alts[#alts + 1] = table.concat(parts, "+")
    end
    f[#f + 1] = "answer=" .. table.concat(alts, "|")
  end
  out[#out + 1] = table.concat(f, " ")
  local kids = n.children
  if #kids > 0 then
    out[#out + 1] = "("
    for _, c in ipairs(kids) do dump(c, out) end
    out[#out + 1] = ")"
  end
  return out
end
return {
  Document = function(doc, ctx)
    ctx.warn(nil, table.concat(dump(doc, {}), " "))
  end,
}

-- Test filter: a vars: value holding a blank is a node list, fresh at every read.
return {
  Document = function(doc, ctx)
    local a, b = ctx.vars.who, ctx.vars.who
    local kinds = {}
    for _, n in ipairs(a) do kinds[#kinds + 1] = n.type .. (n.answer and "+answer" or "") end
    local n = 0
    for k, v in pairs(ctx.vars) do if k == "who" and type(v) == "table" then n = n + 1 end end
    ctx.warn(nil, ctx.edition.name .. " who " .. type(a) .. " " .. table.concat(kinds, ",") .. " fresh " .. tostring(a[1] ~= b[1]) ..
      " pairs " .. n .. " name " .. tostring(ctx.vars.name) .. " label " .. tostring(ctx.labels.trainer) ..
      " title [" .. ctx.course.title .. "] meta [" .. tostring(ctx.meta.title) .. "] edition [" ..
      ctx.edition.title .. "] module [" .. ctx.module.title .. "]")
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph(ctx.vars.who)
    kids[#kids + 1] = course.Paragraph(ctx.vars.who)
    doc.children = kids
  end,
}

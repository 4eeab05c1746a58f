-- Test filter: ctx.error and ctx.warn with every kind of position.
return {
  Heading = function(node, ctx)
    ctx.warn(node, "at the heading")
    ctx.warn({line = 2, col = 5}, "at a table position")
    ctx.error(nil, "module-level error")
  end,
  Document = function(doc, ctx)
    local p = ctx.pos("duration")
    ctx.warn(nil, "meta " .. tostring(ctx.meta.duration) .. " " .. tostring(ctx.meta.title) .. " pos " ..
      (p and (p.line .. ":" .. p.col) or "nil") .. " course " .. ctx.course.title .. " module " ..
      ctx.module.id .. " " .. tostring(ctx.module.duration) .. " " .. tostring(ctx.module.start) ..
      " dur " .. tostring(course.duration("1h30m")) .. " " .. tostring(course.duration("15 mintues")))
  end,
}

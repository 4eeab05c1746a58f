-- timings.lua — duration badges and run sheets (SPEC §5.4).
-- The C core has read every duration and computed node.duration (minutes),
-- node.start (minutes after the module's start), node.is_break and
-- node.natural (the heading text already states its time). This filter:
--   * in every edition, appends a badge `N min` (Span class duration-badge)
--     to timed headings whose text does not state their time, and puts one
--     at the top of timed divs;
--   * in editions that include the `facilitator` role, puts a run sheet
--     (Div class run-sheet holding a Table: Start, End, Duration, Segment)
--     after the module's title heading: one row per timed segment in order,
--     nested segments indented, breaks marked, and a Total row.

local function badge(minutes)
  return course.Span({course.Text(minutes .. " min")}, {classes = {"duration-badge"}})
end

local function has_class(node, cls)
  for _, c in ipairs(node.attr.classes) do
    if c == cls then return true end
  end
  return false
end

-- Plain text of a node, without blanks and without our own badges.
local function plain(node, out)
  out = out or {}
  local t = node.type
  if t == "Text" or t == "Code" then
    out[#out + 1] = node.text
  elseif t == "SoftBreak" or t == "LineBreak" then
    out[#out + 1] = " "
  elseif t == "Blank" or t == "HtmlInline" or (t == "Span" and has_class(node, "duration-badge")) then
    -- nothing
  else
    for _, c in ipairs(node.children) do plain(c, out) end
  end
  return out
end

local function text_of(node)
  return (table.concat(plain(node)):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local function clock(minutes, start)
  if start then
    local m = (start + minutes) % (24 * 60)
    return string.format("%02d:%02d", m // 60, m % 60)
  end
  return string.format("%d:%02d", minutes // 60, minutes % 60)
end

-- Timed segments in document order with their nesting depth. A heading owns
-- what follows it up to the next heading of the same or a higher level; a
-- div owns its content.
local function segments(doc)
  local rows, stack = {}, {}
  local function depth()
    local d = 0
    for _, s in ipairs(stack) do if s.timed then d = d + 1 end end
    return d
  end
  local function visit(list)
    for _, n in ipairs(list) do
      if n.type == "Heading" then
        while #stack > 0 and stack[#stack].kind == "h" and stack[#stack].level >= n.level do
          table.remove(stack)
        end
        if n.duration then
          rows[#rows + 1] = {node = n, depth = depth()}
          stack[#stack + 1] = {kind = "h", level = n.level, timed = true}
        end
      elseif n.type == "Div" then
        if n.duration then rows[#rows + 1] = {node = n, depth = depth()} end
        local mark = #stack
        stack[#stack + 1] = {kind = "d", timed = n.duration ~= nil}
        visit(n.children)
        for i = #stack, mark + 1, -1 do stack[i] = nil end
      elseif n.type == "BlockQuote" then
        visit(n.children)
      end
    end
  end
  visit(doc.children)
  return rows
end

local function title_of(n)
  if n.type == "Heading" then return text_of(n) end
  local a = n.attr
  if a.title then return a.title end
  for _, c in ipairs(n.children) do
    if c.type == "Heading" then return text_of(c) end
  end
  return (a.classes[1] or "segment"):gsub("^%l", string.upper)
end

local function run_sheet(doc, ctx)
  local start = ctx.module.start
  local rows = {}
  for _, seg in ipairs(segments(doc)) do
    local n = seg.node
    local title = title_of(n)
    local id = n.attr.id
    local label = id and course.Link({course.Text(title)}, "#" .. id) or course.Text(title)
    local cell = {label}
    if n.is_break and title:lower() ~= "break" then
      cell = {label, course.Text(" "), course.Span({course.Text("Break")}, {classes = {"break-mark"}})}
    elseif n.is_break then
      cell = {course.Span({label}, {classes = {"break-mark"}})}
    end
    local seg_cell = {course.Span(cell, {classes = {"indent-" .. seg.depth}})}
    local s, e = "", ""
    if n.start then
      s = clock(n.start, start)
      e = clock(n.start + n.duration, start)
    end
    rows[#rows + 1] = {{course.Text(s)}, {course.Text(e)}, {course.Text(n.duration .. " min")}, seg_cell}
  end
  local total = ctx.module.duration
  rows[#rows + 1] = {
    {course.Text(clock(0, start))}, {course.Text(clock(total, start))},
    {course.Text(total .. " min")},
    {course.Span({course.Text("Total")}, {classes = {"run-sheet-total"}})},
  }
  local tbl = course.Table{head = {"Start", "End", "Duration", "Segment"}, rows = rows}
  return course.Div({tbl}, {classes = {"run-sheet"}, title = "Run sheet"})
end

return {
  Heading = function(node, ctx)
    if node.duration and not node.natural then
      local kids = node.children
      kids[#kids + 1] = badge(node.duration)
      node.children = kids
    end
  end,
  Div = function(node, ctx)
    if node.duration then
      local kids = node.children
      local first = kids[1]
      if first and first.type == "Heading" and not first.duration then
        local hk = first.children
        hk[#hk + 1] = badge(node.duration)
        first.children = hk
      else
        table.insert(kids, 1, course.Paragraph({badge(node.duration)}))
        node.children = kids
      end
    end
  end,
  Document = function(doc, ctx)
    if not (ctx.edition.include.facilitator and ctx.module.duration) then return end
    local sheet = run_sheet(doc, ctx)
    local kids, out, placed = doc.children, {}, false
    for _, c in ipairs(kids) do
      out[#out + 1] = c
      if not placed and c.type == "Heading" and c.level == 1 then
        out[#out + 1] = sheet
        placed = true
      end
    end
    if not placed then table.insert(out, 1, sheet) end
    doc.children = out
  end,
}

-- timings.lua — duration badges and run sheets (SPEC §5.4).
-- The C core has read every duration and computed node.duration (minutes),
-- node.start (minutes after the module's start), node.is_break and
-- node.natural (the heading text already states its time). This filter:
-- Every word it prints is a label of the theme in the course's language
-- (ctx.label: "{n} min", "Run sheet", "overruns by {n} min", ...).
--   * in every edition, appends a badge `N min` (Span class duration-badge)
--     to timed headings whose text does not state their time, and puts one
--     at the top of timed divs;
--   * in editions that include the `facilitator` role, puts a run sheet
--     (Div class run-sheet holding a Table: Start, End, Duration, Segment)
--     after the module's title heading: one row per timed segment in order,
--     nested segments indented, breaks marked, and a Total row; a module
--     timed only by `teaching:`/`exercises:` gets a row for each. A segment
--     whose parts end after its declared end says "overruns by N min" (its
--     parts keep their own times, SPEC §11.9); so does the Total row.

local concat, gsub, format = table.concat, string.gsub, string.format
local byte, sub, find = string.byte, string.sub, string.find
local Text, Span = course.Text, course.Span

local function mins(ctx, minutes)
  return ctx.label("minutes", {n = minutes})
end

local function badge(ctx, minutes)
  return Span({Text(mins(ctx, minutes))}, {classes = {"duration-badge"}})
end

local function has_class(node, cls)
  local classes = node.attr.classes
  for i = 1, #classes do
    if classes[i] == cls then return true end
  end
  return false
end

-- Plain text of a node, without blanks and without our own badges.
local function plain(node, out, t)
  if t == "Text" or t == "Code" then
    out[#out + 1] = node.text
  elseif t == "SoftBreak" or t == "LineBreak" then
    out[#out + 1] = " "
  elseif t == "Blank" or t == "HtmlInline" or (t == "Span" and has_class(node, "duration-badge")) then
    -- nothing
  else
    local kids = node.children
    for i = 1, #kids do
      local c = kids[i]
      plain(c, out, c.type)
    end
  end
  return out
end

-- Whitespace runs become one space, and none at either end. Most titles
-- hold single spaces only: two plain finds are much cheaper than the gsub.
local function text_of(node, t)
  local s = concat(plain(node, {}, t))
  if find(s, "  ", 1, true) or find(s, "[^ %S]") then s = gsub(s, "%s+", " ") end
  if byte(s, 1) == 32 then s = sub(s, 2) end
  if byte(s, -1) == 32 then s = sub(s, 1, -2) end
  return s
end

local function clock(minutes, start)
  if start then
    local m = (start + minutes) % (24 * 60)
    return format("%02d:%02d", m // 60, m % 60)
  end
  return format("%d:%02d", minutes // 60, minutes % 60)
end

-- Timed segments in document order with their nesting depth. A heading owns
-- what follows it up to the next heading of the same or a higher level; a
-- div owns its content. A row keeps the node's type and duration, read once.
local function segments(doc)
  local rows, stack = {}, {}
  local function depth()
    local d = 0
    for i = 1, #stack do if stack[i].timed then d = d + 1 end end
    return d
  end
  local function visit(list)
    for i = 1, #list do
      local n = list[i]
      local t = n.type
      if t == "Heading" then
        local level = n.level
        while #stack > 0 and stack[#stack].kind == "h" and stack[#stack].level >= level do
          stack[#stack] = nil
        end
        local d = n.duration
        if d then
          rows[#rows + 1] = {node = n, type = t, duration = d, depth = depth()}
          stack[#stack + 1] = {kind = "h", level = level, timed = true}
        end
      elseif t == "Div" then
        local d = n.duration
        if d then rows[#rows + 1] = {node = n, type = t, duration = d, depth = depth()} end
        local mark = #stack
        stack[#stack + 1] = {kind = "d", timed = d ~= nil}
        visit(n.children)
        for j = #stack, mark + 1, -1 do stack[j] = nil end
      elseif t == "BlockQuote" then
        visit(n.children)
      end
    end
  end
  local kids = doc.children
  visit(kids)
  return rows, kids
end

-- A box class the theme has a label for (the answers filter titles them).
local LABELLED = {exercise = "exercise", activity = "activity", answer = "answer", hint = "hint",
                  facilitator = "facilitator_note", note = "note", tip = "tip", warning = "warning",
                  important = "important"}

local function title_of(n, t, a, ctx)
  if t == "Heading" then return text_of(n, t) end
  if a.title then return a.title end
  local kids = n.children
  for i = 1, #kids do
    local c = kids[i]
    if c.type == "Heading" then return text_of(c, "Heading") end
  end
  local cls = a.classes[1]
  if cls and LABELLED[cls] then return ctx.label(LABELLED[cls]) end
  return (gsub(cls or "segment", "^%l", string.upper))
end

-- "overruns by N min" beside a segment whose parts end after it.
local function overrun_mark(ctx, minutes)
  return Span({Text(ctx.label("overrun", {n = minutes}))}, {classes = {"overrun"}})
end

-- How far the parts of segment i (the rows after it that are deeper) end
-- past its own end; 0 when they do not.
local function overrun_of(segs, i)
  local seg = segs[i]
  local s = seg.node.start
  if not s then return 0 end
  local last = s + seg.duration
  for j = i + 1, #segs do
    local p = segs[j]
    if p.depth <= seg.depth then break end
    local ps = p.node.start
    if ps and ps + p.duration > last then last = ps + p.duration end
  end
  return last - (s + seg.duration)
end

-- The run sheet, and the document's children (read once: each read of
-- doc.children builds a fresh list).
local function run_sheet(doc, ctx)
  local start = ctx.module.start
  local rows = {}
  local segs, kids = segments(doc)
  for i = 1, #segs do
    local seg = segs[i]
    local n, t, dur = seg.node, seg.type, seg.duration
    local a = n.attr
    local title = title_of(n, t, a, ctx)
    local id = a.id
    local label = id and course.Link({Text(title)}, "#" .. id) or Text(title)
    local cell = {label}
    if n.is_break then
      local word = ctx.label("break")
      if title:lower() ~= "break" and title:lower() ~= word:lower() then
        cell = {label, Text(" "), Span({Text(word)}, {classes = {"break-mark"}})}
      else
        cell = {Span({label}, {classes = {"break-mark"}})}
      end
    end
    local over = overrun_of(segs, i)
    if over > 0 then
      cell[#cell + 1] = Text(" ")
      cell[#cell + 1] = overrun_mark(ctx, over)
    end
    local seg_cell = {Span(cell, {classes = {"indent-" .. seg.depth}})}
    local s, e = "", ""
    local ns = n.start
    if ns then
      s = clock(ns, start)
      e = clock(ns + dur, start)
    end
    rows[#rows + 1] = {{Text(s)}, {Text(e)}, {Text(mins(ctx, dur))}, seg_cell}
  end
  -- a Carpentries episode times its teaching and its exercises instead
  -- of its sections: one row each, teaching first (SPEC §11.7)
  local m = ctx.module
  if #segs == 0 and (m.teaching or m.exercises) then
    local at = 0
    for _, part in ipairs({{ctx.label("teaching"), m.teaching}, {ctx.label("exercises"), m.exercises}}) do
      local dur = part[2]
      if dur then
        rows[#rows + 1] = {{Text(clock(at, start))}, {Text(clock(at + dur, start))}, {Text(mins(ctx, dur))},
                           {Span({Text(part[1])}, {classes = {"indent-0"}})}}
        at = at + dur
      end
    end
  end
  local total = m.duration
  local last = 0
  for i = 1, #segs do
    local n = segs[i].node
    if segs[i].depth == 0 and n.start and n.start + segs[i].duration > last then
      last = n.start + segs[i].duration
    end
  end
  local total_cell = {Span({Text(ctx.label("total"))}, {classes = {"run-sheet-total"}})}
  if last > total then
    total_cell[#total_cell + 1] = Text(" ")
    total_cell[#total_cell + 1] = overrun_mark(ctx, last - total)
  end
  rows[#rows + 1] = {
    {Text(clock(0, start))}, {Text(clock(total, start))},
    {Text(mins(ctx, total))},
    total_cell,
  }
  local tbl = course.Table{head = {ctx.label("start"), ctx.label("end"), ctx.label("duration"), ctx.label("segment")},
                          rows = rows}
  return course.Div({tbl}, {classes = {"run-sheet"}, title = ctx.label("run_sheet")}), kids
end

return {
  Heading = function(node, ctx)
    local d = node.duration
    if d and not node.natural then
      local kids = node.children
      kids[#kids + 1] = badge(ctx, d)
      node.children = kids
    end
  end,
  Div = function(node, ctx)
    local d = node.duration
    if d then
      local kids = node.children
      local first = kids[1]
      -- the badge joins the box's title: its first heading, or the title
      -- the core made of a title= holding a blank (Paragraph box-title)
      if first and ((first.type == "Heading" and not first.duration) or
                    (first.type == "Paragraph" and has_class(first, "box-title"))) then
        local hk = first.children
        hk[#hk + 1] = badge(ctx, d)
        first.children = hk
      else
        table.insert(kids, 1, course.Paragraph({badge(ctx, d)}))
        node.children = kids
      end
    end
  end,
  Document = function(doc, ctx)
    if not (ctx.edition.include.facilitator and ctx.module.duration) then return end
    local sheet, kids = run_sheet(doc, ctx)
    -- after the first level-1 heading, else first
    local at = 1
    for i = 1, #kids do
      local c = kids[i]
      if c.type == "Heading" and c.level == 1 then
        at = i + 1
        break
      end
    end
    table.insert(kids, at, sheet)
    doc.children = kids
  end,
}

-- edition.lua — pandoc's equivalent of coursec's per-edition job (bench only).
-- pandoc -f gfm+fenced_divs+attributes --lua-filter edition.lua -M edition=NAME
-- NAME is `learner` (no roles) or `facilitator` (roles answer, facilitator).
-- Passes, in order: prune role divs and dress the standard boxes; blanks,
-- underscore runs and {{fill-ins}} in prose; worksheet code blocks; run sheets
-- (facilitator) built from natural timings and duration= attributes.
-- What it does not do (coursec does): timing checks and warnings, a guard
-- after the filters, links between modules, the site index and navigation,
-- blanks inside code spans left alone by the parser (pandoc sees the same).

local roles = {}
local edition = "learner"

local function html(s) return pandoc.RawInline("html", s) end
local function html_block(s) return pandoc.RawBlock("html", s) end

local function width_step(n)
  for _, w in ipairs({8, 16, 24, 32}) do
    if n <= w then return w end
  end
  return 32
end

local function blank_html(width)
  return '<span class="blank" style="width:' .. width .. 'ch"></span>'
end

local function fillin_html(name)
  return '<span class="fill-in"><span class="blank-label">' .. name .. ':</span> '
    .. blank_html(16) .. '</span>'
end

local function escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

-- Pass 0: the edition from the metadata.
local meta_pass = {
  Meta = function(m)
    edition = m.edition and pandoc.utils.stringify(m.edition) or "learner"
    if edition ~= "learner" then roles = {answer = true, facilitator = true} end
  end,
}

local function has_class(el, c)
  for _, x in ipairs(el.classes) do
    if x == c then return true end
  end
  return false
end

local function duration_of(s)
  if not s then return nil end
  local h, m = s:match("^(%d+)h(%d+)m$")
  if h then return tonumber(h) * 60 + tonumber(m) end
  local n, unit = s:match("^([%d%.]+)%s*(%a*)")
  if not n then return nil end
  n = tonumber(n)
  if not n then return nil end
  if unit:match("^h") then return math.floor(n * 60 + 0.5) end
  if unit == "" or unit:match("^m") then return math.floor(n + 0.5) end
  return nil
end

-- Pass 1: roles and boxes.
local box_labels = {answer = "Answer", facilitator = "Facilitator note"}
local div_pass = {
  Div = function(d)
    for role, label in pairs(box_labels) do
      if has_class(d, role) then
        if not roles[role] then return {} end
        table.insert(d.content, 1, html_block('<p class="box-title">' .. label .. '</p>'))
        return d
      end
    end
    if has_class(d, "response") then
      if roles.answer then
        d.classes:insert("model-answer")
        return d
      end
      local n = tonumber(d.attributes.lines) or 3
      local rules = {}
      for _ = 1, n do rules[#rules + 1] = html_block('<div class="rule"></div>') end
      d.content = rules
      return d
    end
    local title = d.attributes.title
    if title then
      local dur = duration_of(d.attributes.duration)
      local badge = dur and (' <span class="duration-badge">' .. dur .. ' min</span>') or ""
      table.insert(d.content, 1, html_block('<p class="box-title">' .. escape(title) .. badge .. '</p>'))
      d.attributes.title = nil
      return d
    end
  end,
}

-- Pass 2: [[blanks]], _____ runs and {{fill-ins}} in prose.
local function split_str(text, out)
  -- {{var}} and underscore runs inside one Str.
  local pos = 1
  while pos <= #text do
    local a, b, name = text:find("{{%s*([^{}]-)%s*}}", pos)
    local ua, ub = text:find("_____+", pos)
    if ua and (not a or ua < a) then
      if ua > pos then out[#out + 1] = pandoc.Str(text:sub(pos, ua - 1)) end
      out[#out + 1] = html(blank_html(ub - ua + 1))
      pos = ub + 1
    elseif a then
      if a > pos then out[#out + 1] = pandoc.Str(text:sub(pos, a - 1)) end
      out[#out + 1] = html(fillin_html(escape(name)))
      pos = b + 1
    else
      out[#out + 1] = pandoc.Str(text:sub(pos))
      break
    end
  end
end

local function blank_inline(answer)
  if not roles.answer then
    return html(blank_html(width_step(utf8.len(pandoc.utils.stringify(answer)) or 8)))
  end
  return pandoc.Span(answer, pandoc.Attr("", {"blank", "filled"}))
end

local inline_pass = {
  Inlines = function(ils)
    local out = {}
    local i = 1
    while i <= #ils do
      local el = ils[i]
      if el.t == "Str" and el.text:find("[[", 1, true) then
        local s = el.text:find("[[", 1, true)
        local before, rest = el.text:sub(1, s - 1), el.text:sub(s + 2)
        if before ~= "" then split_str(before, out) end
        local answer, j = {}, i
        local e = rest:find("]]", 1, true)
        local cur = rest
        while not e do
          if cur ~= "" then answer[#answer + 1] = pandoc.Str(cur) end
          j = j + 1
          if j > #ils then break end
          if ils[j].t == "Str" then
            cur = ils[j].text
            e = cur:find("]]", 1, true)
          else
            answer[#answer + 1] = ils[j]
            cur = ""
          end
        end
        if e then
          if e > 1 then answer[#answer + 1] = pandoc.Str(cur:sub(1, e - 1)) end
          out[#out + 1] = blank_inline(answer)
          local after = cur:sub(e + 2)
          if after ~= "" then split_str(after, out) end
          i = j + 1
        else
          -- no closing ]]: leave the text as it was
          for k = i, #ils do out[#out + 1] = ils[k] end
          i = #ils + 1
        end
      elseif el.t == "Str" and (el.text:find("{{", 1, true) or el.text:find("_____", 1, true)) then
        split_str(el.text, out)
        i = i + 1
      else
        out[#out + 1] = el
        i = i + 1
      end
    end
    return out
  end,
}

-- Pass 3: worksheet code blocks.
local code_pass = {
  CodeBlock = function(cb)
    if not has_class(cb, "worksheet") then return nil end
    local t = escape(cb.text)
    t = t:gsub("%[%[(.-)%]%]", function(a)
      if roles.answer then return '<span class="blank filled">' .. a .. '</span>' end
      return blank_html(width_step(utf8.len(a) or 8))
    end)
    t = t:gsub("_____+", function(u) return blank_html(#u) end)
    t = t:gsub("{{%s*([^{}]-)%s*}}", fillin_html)
    return html_block('<pre class="worksheet"><code>' .. t .. '</code></pre>')
  end,
}

-- Pass 4: run sheets, one per level-1 section (a module), facilitator only.
local function natural(h)
  local text = pandoc.utils.stringify(h.content)
  local inner = text:match("%(([^()]*)%)%s*$")
  return inner and duration_of(inner:match("^%s*([%d%.]+%s*%a*)"))
end

local function clock(start, m)
  local t = start + m
  return string.format("%02d:%02d", (t // 60) % 24, t % 60)
end

local function collect(blocks, segs, stack, depth0)
  for _, b in ipairs(blocks) do
    if b.t == "Header" then
      local d = natural(b) or duration_of(b.attributes.duration)
      while #stack > 0 and stack[#stack].level and stack[#stack].level >= b.level do
        table.remove(stack)
      end
      if d then
        local parent = stack[#stack]
        local start = parent and parent.next or segs.next
        local seg = {title = pandoc.utils.stringify(b.content), id = b.identifier,
                     start = start, dur = d, depth = #stack + depth0, level = b.level,
                     next = start, brk = pandoc.utils.stringify(b.content):match("^[Bb]reak") ~= nil}
        if parent then parent.next = start + d else segs.next = start + d end
        segs[#segs + 1] = seg
        stack[#stack + 1] = seg
      end
    elseif b.t == "Div" and b.attributes.duration then
      local d = duration_of(b.attributes.duration)
      local parent = stack[#stack]
      local start = parent and parent.next or segs.next
      local seg = {title = b.attributes.title or "Activity", id = b.identifier, start = start,
                   dur = d, depth = #stack + depth0, next = start}
      if parent then parent.next = start + d else segs.next = start + d end
      segs[#segs + 1] = seg
      collect(b.content, segs, {seg}, seg.depth + 1)
    elseif b.t == "Div" then
      collect(b.content, segs, stack, depth0)
    end
  end
end

local function run_sheet(blocks, start)
  local segs = {next = 0}
  collect(blocks, segs, {}, 0)
  if #segs == 0 then return nil end
  local rows = {}
  for _, s in ipairs(segs) do
    local title = {html('<span class="indent-' .. s.depth .. '">'),
                   pandoc.Link(s.title, "#" .. s.id), html('</span>')}
    if s.brk then title[#title + 1] = html(' <span class="break-mark">break</span>') end
    rows[#rows + 1] = {{pandoc.Plain{pandoc.Str(clock(start, s.start))}},
                       {pandoc.Plain{pandoc.Str(clock(start, s.start + s.dur))}},
                       {pandoc.Plain{pandoc.Str(s.dur .. " min")}},
                       {pandoc.Plain(title)}}
  end
  local st = pandoc.SimpleTable({}, {pandoc.AlignLeft, pandoc.AlignLeft, pandoc.AlignRight, pandoc.AlignLeft},
    {0, 0, 0, 0},
    {{pandoc.Plain{pandoc.Str "Start"}}, {pandoc.Plain{pandoc.Str "End"}},
     {pandoc.Plain{pandoc.Str "Time"}}, {pandoc.Plain{pandoc.Str "Segment"}}}, rows)
  return pandoc.Div({pandoc.utils.from_simple_table(st),
                     pandoc.Para{pandoc.Str("Total: " .. segs.next .. " min")}},
                    pandoc.Attr("", {"run-sheet"}))
end

local sheet_pass = {
  Pandoc = function(doc)
    if not roles.facilitator then return nil end
    local start = 9 * 60
    local out, section = {}, nil
    local function flush()
      if section then
        local rs = run_sheet(section.blocks, start)
        out[#out + 1] = section.head
        if rs then out[#out + 1] = rs end
        for _, b in ipairs(section.blocks) do out[#out + 1] = b end
      end
    end
    for _, b in ipairs(doc.blocks) do
      if b.t == "Header" and b.level == 1 then
        flush()
        section = {head = b, blocks = {}}
      elseif section then
        section.blocks[#section.blocks + 1] = b
      else
        out[#out + 1] = b
      end
    end
    flush()
    doc.blocks = out
    return doc
  end,
}

return {meta_pass, div_pass, code_pass, inline_pass, sheet_pass}

-- Sandbox test: load of a binary chunk
return {
  Document = function(doc, ctx)
    local f, err = load("\27Lua\84\0\25\147\13\10\26\10"); assert(f, err)
  end,
}
